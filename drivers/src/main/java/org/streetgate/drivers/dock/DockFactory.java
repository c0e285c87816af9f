package org.streetgate.drivers.dock;

import java.time.Duration;
import org.streetgate.drivers.config.ConfigReader;
import org.streetgate.drivers.spi.DeviceContext;
import org.streetgate.drivers.spi.Driver;
import org.streetgate.drivers.spi.DriverFactory;

/** {@code driver: drone-dock}: a dock PLC on RS-485 Modbus RTU with the gateway's safety interlocks. */
public final class DockFactory implements DriverFactory<DockConfig> {
    @Override
    public String name() {
        return "drone-dock";
    }

    @Override
    public boolean needsSerial() {
        return true;
    }

    @Override
    public boolean sharesSerialBus() {
        return true; // the PLC is one Modbus unit; meters may share its RS-485 pair
    }

    @Override
    public Duration defaultPoll() {
        return Duration.ofMillis(500);
    }

    @Override
    public DockConfig parseConfig(ConfigReader device) {
        return DockConfig.read(device);
    }

    @Override
    public Driver create(DeviceContext<DockConfig> context) {
        return new DockDriver(context);
    }
}
