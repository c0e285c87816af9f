package org.streetgate.drivers.gpio;

import java.util.List;
import org.streetgate.drivers.config.ConfigReader;
import org.streetgate.drivers.spi.DeviceContext;
import org.streetgate.drivers.spi.Driver;
import org.streetgate.drivers.spi.DriverFactory;
import org.streetgate.drivers.spi.Resource;

/** {@code driver: gpio-output}: on, off and pulse for a relay, with a safe state. */
public final class GpioOutputFactory implements DriverFactory<GpioOutputConfig> {
    @Override
    public String name() {
        return "gpio-output";
    }

    @Override
    public GpioOutputConfig parseConfig(ConfigReader device) {
        return GpioOutputConfig.read(device);
    }

    @Override
    public Driver create(DeviceContext<GpioOutputConfig> context) {
        return new GpioOutputDriver(context);
    }

    @Override
    public List<Resource> resources(GpioOutputConfig config) {
        return List.of(new Resource.GpioPin(config.pin()));
    }
}
