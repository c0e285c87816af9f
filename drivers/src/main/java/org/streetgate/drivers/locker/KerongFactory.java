package org.streetgate.drivers.locker;

import java.time.Duration;
import org.streetgate.drivers.config.ConfigReader;
import org.streetgate.drivers.spi.DeviceContext;
import org.streetgate.drivers.spi.Driver;
import org.streetgate.drivers.spi.DriverFactory;

/** {@code driver: locker-board}: Kerong KR-CU16 boards daisy-chained on one RS-485 port. */
public final class KerongFactory implements DriverFactory<KerongConfig> {
    @Override
    public String name() {
        return "locker-board";
    }

    @Override
    public boolean needsSerial() {
        return true;
    }

    @Override
    public int defaultBaud() {
        return 19200; // KR-CU16 factory setting
    }

    @Override
    public Duration defaultPoll() {
        return Duration.ofMillis(500);
    }

    @Override
    public KerongConfig parseConfig(ConfigReader device) {
        return KerongConfig.read(device);
    }

    @Override
    public Driver create(DeviceContext<KerongConfig> context) {
        return new KerongDriver(context);
    }
}
