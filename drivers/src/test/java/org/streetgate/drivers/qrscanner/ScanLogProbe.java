package org.streetgate.drivers.qrscanner;

import java.time.Duration;
import java.util.Optional;
import org.streetgate.drivers.config.Position;
import org.streetgate.drivers.spi.DeviceContext;
import org.streetgate.drivers.spi.DeviceSpec;
import org.streetgate.drivers.spi.DeviceStatus;
import org.streetgate.drivers.testing.CollectingSink;
import org.streetgate.drivers.transport.Hardware;
import org.streetgate.drivers.transport.SerialSettings;

/**
 * Run in a child JVM by {@link ScanLogPrivacyIT} with tinylog writing everything to a file: scans
 * the code given as argument, plus an overlong code built from it, through a simulated scanner whose
 * listener fails with the code in its message.
 */
public final class ScanLogProbe {
    public static void main(String[] args) throws Exception {
        String code = args[0];
        var spec = new DeviceSpec("scanner-1", "qr-scanner", null,
                Optional.of(SerialSettings.of("/dev/ttyACM-scanner", 9600)), true, new Position("probe", 1));
        DeviceStatus status = new DeviceStatus();
        QrScannerDriver driver = new QrScannerDriver(new DeviceContext<>(spec,
                new QrScannerConfig(QrScannerCodec.Terminator.CR, 32, false), new CollectingSink(), status, new Hardware()));
        driver.addScanListener(c -> {
            throw new IllegalStateException("no parcel for code " + c);
        });
        driver.start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (driver.simulator().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        driver.simulator().orElseThrow().scan(code);
        driver.simulator().orElseThrow().scan(code.repeat(10));
        while ((status.counter("scans") < 1 || status.counter("overlong_codes") < 1) && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        driver.stop();
        System.exit(status.counter("scans") == 1 && status.counter("overlong_codes") == 1 ? 0 : 3);
    }
}
