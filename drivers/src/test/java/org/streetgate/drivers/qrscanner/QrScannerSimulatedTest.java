package org.streetgate.drivers.qrscanner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.streetgate.drivers.config.Position;
import org.streetgate.drivers.spi.DeviceContext;
import org.streetgate.drivers.spi.DeviceSpec;
import org.streetgate.drivers.spi.DeviceStatus;
import org.streetgate.drivers.testing.Await;
import org.streetgate.drivers.testing.CollectingSink;
import org.streetgate.drivers.transport.Hardware;
import org.streetgate.drivers.transport.SerialSettings;

/** {@code sim: true}: a demo kiosk "scans" through the driver's own simulator. */
class QrScannerSimulatedTest {
    @Test
    void a_code_scanned_on_the_simulator_reaches_the_listener() throws Exception {
        var spec = new DeviceSpec("scanner-1", "qr-scanner", null,
                Optional.of(SerialSettings.of("/dev/ttyACM-scanner", 9600)), true, new Position("demo.yaml", 12));
        QrScannerDriver driver = new QrScannerDriver(new DeviceContext<>(spec, QrScannerConfig.defaults(),
                new CollectingSink(), new DeviceStatus(), new Hardware()));
        LinkedBlockingQueue<String> scans = new LinkedBlockingQueue<>();
        driver.addScanListener(scans::add);
        driver.start();
        try {
            Await.until("the simulator is made", () -> driver.simulator().isPresent());
            driver.simulator().orElseThrow().scan("605118");
            assertEquals("605118", scans.poll(5, TimeUnit.SECONDS));
        } finally {
            driver.stop();
        }
    }
}
