package org.streetgate.drivers.bme280;

import java.time.Duration;
import java.util.List;
import org.streetgate.drivers.config.ConfigReader;
import org.streetgate.drivers.spi.DeviceContext;
import org.streetgate.drivers.spi.Driver;
import org.streetgate.drivers.spi.DriverFactory;
import org.streetgate.drivers.spi.Resource;

/** {@code driver: bme280}: temperature, humidity and pressure over I2C. */
public final class Bme280Factory implements DriverFactory<Bme280Config> {
    @Override
    public String name() {
        return "bme280";
    }

    @Override
    public Duration defaultPoll() {
        return Duration.ofSeconds(30);
    }

    @Override
    public Bme280Config parseConfig(ConfigReader device) {
        return Bme280Config.read(device);
    }

    @Override
    public Driver create(DeviceContext<Bme280Config> context) {
        return new Bme280Driver(context);
    }

    @Override
    public List<Resource> resources(Bme280Config config) {
        return List.of(new Resource.I2cAddress(config.bus(), config.address()));
    }
}
