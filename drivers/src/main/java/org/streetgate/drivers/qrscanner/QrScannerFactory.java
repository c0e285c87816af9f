package org.streetgate.drivers.qrscanner;

import org.streetgate.drivers.config.ConfigReader;
import org.streetgate.drivers.spi.DeviceContext;
import org.streetgate.drivers.spi.Driver;
import org.streetgate.drivers.spi.DriverFactory;

/** {@code driver: qr-scanner}: a barcode/QR reader in serial mode, one code per line. */
public final class QrScannerFactory implements DriverFactory<QrScannerConfig> {
    @Override
    public String name() {
        return "qr-scanner";
    }

    @Override
    public boolean needsSerial() {
        return true;
    }

    @Override
    public QrScannerConfig parseConfig(ConfigReader device) {
        return QrScannerConfig.read(device);
    }

    @Override
    public Driver create(DeviceContext<QrScannerConfig> context) {
        return new QrScannerDriver(context);
    }
}
