package org.streetgate.drivers.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streetgate.drivers.testing.SocatPty;

/** jSerialComm on both ends of a socat pty pair. */
class JSerialCommLinkIT {
    @TempDir
    Path dir;

    @Test
    void discard_input_never_drops_a_request_just_written() throws Exception {
        try (SocatPty pty = SocatPty.start(dir, "link");
             JSerialCommLink host = JSerialCommLink.open(SerialSettings.of(pty.driverEnd().toString(), 19200));
             JSerialCommLink device = JSerialCommLink.open(SerialSettings.of(pty.deviceEnd().toString(), 19200))) {
            int rounds = 50;
            byte[] stale = {0x13, 0x37};
            for (int i = 0; i < rounds; i++) {
                device.write(stale); // a late answer the host must not take for the next one
                byte[] request = {0x02, (byte) i, 0x30, 0x03};
                host.write(request);
                host.discardInput(); // TCIOFLUSH here dropped the request whenever it was still queued
                byte[] got = new byte[4];
                assertEquals(4, device.readFully(got, 0, 4, Duration.ofSeconds(2)), "request " + i + " lost");
                assertArrayEquals(request, got);
            }
        }
    }
}
