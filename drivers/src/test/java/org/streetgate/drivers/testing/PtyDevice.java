package org.streetgate.drivers.testing;

import java.nio.file.Path;
import java.time.Duration;
import org.streetgate.drivers.transport.JSerialCommLink;
import org.streetgate.drivers.transport.SerialSettings;
import org.streetgate.drivers.transport.SerialSimulator;

/**
 * A simulator serving the device end of a socat pty through jSerialComm, on a virtual thread, until
 * closed or the pty goes away. After {@link SocatPty#replug()} start a new one.
 */
public final class PtyDevice implements AutoCloseable {
    private final Thread thread;
    private final JSerialCommLink link;

    private PtyDevice(Thread thread, JSerialCommLink link) {
        this.thread = thread;
        this.link = link;
    }

    public static PtyDevice serve(SerialSimulator sim, Path deviceEnd, int baud) throws Exception {
        JSerialCommLink link = JSerialCommLink.open(SerialSettings.of(deviceEnd.toString(), baud));
        Thread t = Thread.ofVirtual().name("pty device " + deviceEnd.getFileName()).start(() -> {
            try {
                sim.serve(link);
            } catch (Exception e) {
                // the pty went away: the test is over or unplugged it
            }
        });
        return new PtyDevice(t, link);
    }

    @Override
    public void close() throws InterruptedException {
        thread.interrupt();
        thread.join(Duration.ofSeconds(2));
        link.close();
    }
}
