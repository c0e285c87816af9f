package org.streetgate.drivers.pms5003;

import java.time.Duration;
import org.streetgate.drivers.config.ConfigReader;
import org.streetgate.drivers.spi.DeviceContext;
import org.streetgate.drivers.spi.Driver;
import org.streetgate.drivers.spi.DriverFactory;

public final class Pms5003Factory implements DriverFactory<Pms5003Config> {
    @Override
    public String name() {
        return "pms5003";
    }

    @Override
    public boolean needsSerial() {
        return true;
    }

    @Override
    public Duration defaultPoll() {
        return Duration.ofSeconds(10);
    }

    @Override
    public Pms5003Config parseConfig(ConfigReader device) {
        return Pms5003Config.read(device);
    }

    @Override
    public Driver create(DeviceContext<Pms5003Config> context) {
        return new Pms5003Driver(context);
    }
}
