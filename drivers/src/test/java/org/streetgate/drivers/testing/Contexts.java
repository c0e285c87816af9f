package org.streetgate.drivers.testing;

import java.time.Duration;
import java.util.Optional;
import org.streetgate.drivers.config.Position;
import org.streetgate.drivers.spi.DeviceContext;
import org.streetgate.drivers.spi.DeviceSpec;
import org.streetgate.drivers.spi.DeviceStatus;
import org.streetgate.drivers.spi.Sink;
import org.streetgate.drivers.transport.Hardware;
import org.streetgate.drivers.transport.SerialSettings;

/** Device contexts for driver tests, as the runtime would build them from a profile. */
public final class Contexts {
    private Contexts() {}

    public static <C> DeviceContext<C> serial(String id, String driver, Duration poll, String port, int baud,
                                              boolean simulated, C config, Sink sink, Hardware hardware) {
        var spec = new DeviceSpec(id, driver, poll, Optional.of(SerialSettings.of(port, baud)), simulated,
                new Position("test.yaml", 1));
        return new DeviceContext<>(spec, config, sink, new DeviceStatus(), hardware);
    }

    public static <C> DeviceContext<C> bus(String id, String driver, Duration poll, boolean simulated, C config,
                                           Sink sink, Hardware hardware) {
        var spec = new DeviceSpec(id, driver, poll, Optional.empty(), simulated, new Position("test.yaml", 1));
        return new DeviceContext<>(spec, config, sink, new DeviceStatus(), hardware);
    }
}
