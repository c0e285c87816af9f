package org.streetgate.drivers.gpio;

import java.util.List;
import org.streetgate.drivers.config.ConfigReader;
import org.streetgate.drivers.spi.DeviceContext;
import org.streetgate.drivers.spi.Driver;
import org.streetgate.drivers.spi.DriverFactory;
import org.streetgate.drivers.spi.Resource;

/** {@code driver: gpio-input}: a debounced switch whose levels become events. */
public final class GpioInputFactory implements DriverFactory<GpioInputConfig> {
    @Override
    public String name() {
        return "gpio-input";
    }

    @Override
    public GpioInputConfig parseConfig(ConfigReader device) {
        return GpioInputConfig.read(device);
    }

    @Override
    public Driver create(DeviceContext<GpioInputConfig> context) {
        return new GpioInputDriver(context);
    }

    @Override
    public List<Resource> resources(GpioInputConfig config) {
        return List.of(new Resource.GpioPin(config.pin()));
    }
}
