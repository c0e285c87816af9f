package org.streetgate.drivers.meter;

import java.time.Duration;
import org.streetgate.drivers.config.ConfigReader;
import org.streetgate.drivers.spi.DeviceContext;
import org.streetgate.drivers.spi.Driver;
import org.streetgate.drivers.spi.DriverFactory;

/** {@code driver: modbus-meter}: energy meters, level sensors, anything with a register map. */
public final class ModbusMeterFactory implements DriverFactory<ModbusMeterConfig> {
    @Override
    public String name() {
        return "modbus-meter";
    }

    @Override
    public boolean needsSerial() {
        return true;
    }

    @Override
    public boolean sharesSerialBus() {
        return true;
    }

    @Override
    public Duration defaultPoll() {
        return Duration.ofSeconds(10);
    }

    @Override
    public ModbusMeterConfig parseConfig(ConfigReader device) {
        return ModbusMeterConfig.read(device);
    }

    @Override
    public Driver create(DeviceContext<ModbusMeterConfig> context) {
        return new ModbusMeterDriver(context);
    }
}
