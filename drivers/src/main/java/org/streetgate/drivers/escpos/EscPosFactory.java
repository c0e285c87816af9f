package org.streetgate.drivers.escpos;

import java.time.Duration;
import org.streetgate.drivers.config.ConfigReader;
import org.streetgate.drivers.spi.DeviceContext;
import org.streetgate.drivers.spi.Driver;
import org.streetgate.drivers.spi.DriverFactory;

/** {@code driver: escpos-printer}: a thermal receipt printer on a serial (or USB CDC serial) port. */
public final class EscPosFactory implements DriverFactory<EscPosConfig> {
    @Override
    public String name() {
        return "escpos-printer";
    }

    @Override
    public boolean needsSerial() {
        return true;
    }

    @Override
    public Duration defaultPoll() {
        return Duration.ofSeconds(2); // status (paper, cover) poll
    }

    @Override
    public EscPosConfig parseConfig(ConfigReader device) {
        return EscPosConfig.read(device);
    }

    @Override
    public Driver create(DeviceContext<EscPosConfig> context) {
        return new EscPosDriver(context);
    }
}
