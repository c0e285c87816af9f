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

    /** The Modbus RTU default line: 19200 baud (with even parity, set in the profile's serial block). */
    @Override
    public int defaultBaud() {
        return 19200;
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
