package org.streetgate.drivers.escpos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streetgate.drivers.config.Position;
import org.streetgate.drivers.spi.DeviceContext;
import org.streetgate.drivers.spi.DeviceSpec;
import org.streetgate.drivers.spi.DeviceStatus;
import org.streetgate.drivers.testing.CollectingSink;
import org.streetgate.drivers.transport.Hardware;
import org.streetgate.drivers.transport.SerialSettings;

/** {@code sim: true}: the driver runs its own simulated printer in process and its receipts land in sim-output. */
class EscPosSimulatedTest {
    @TempDir
    Path dir;

    @Test
    void a_simulated_printer_writes_each_receipt_to_sim_output() throws Exception {
        var cfg = new EscPosConfig(384, true, Duration.ofSeconds(2), Duration.ofMillis(300), dir.resolve("receipts"));
        var spec = new DeviceSpec("printer-1", "escpos-printer", Duration.ofMillis(100),
                Optional.of(SerialSettings.of("/dev/ttyUSB-printer", 9600)), true, new Position("demo.yaml", 9));
        EscPosDriver driver = new EscPosDriver(
                new DeviceContext<>(spec, cfg, new CollectingSink(), new DeviceStatus(), new Hardware()));
        driver.start();
        try {
            PrintResult r = driver.print(new Receipt(List.of(Receipt.Line.of("58mm 小票")), null, true),
                    Duration.ofSeconds(5));
            assertTrue(r.printed(), r.reason());
            var receipts = driver.simulator().orElseThrow().awaitReceipts(1, Duration.ofSeconds(5));
            assertEquals(384, receipts.get(0).image().getWidth());
            assertEquals(dir.resolve("receipts").resolve("receipt-0001.png"), receipts.get(0).file());
            assertTrue(Files.size(receipts.get(0).file()) > 0);
        } finally {
            driver.stop();
        }
    }
}
