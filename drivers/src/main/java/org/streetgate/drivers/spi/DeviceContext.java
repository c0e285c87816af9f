package org.streetgate.drivers.spi;

import java.time.Duration;
import org.streetgate.drivers.transport.SerialLink;
import org.streetgate.drivers.transport.Hardware;
import org.streetgate.drivers.transport.SerialSimulator;

/**
 * Everything a driver gets from the runtime: its spec, its typed config, where to put messages,
 * and how to reach its hardware (or its simulator when {@link DeviceSpec#simulated()}).
 */
public record DeviceContext<C>(DeviceSpec spec, C config, Sink sink, DeviceStatus status, Hardware hardware) {

    public String deviceId() {
        return spec.id();
    }

    public boolean simulated() {
        return spec.simulated();
    }

    public Duration poll(Duration fallback) {
        return spec.poll() == null ? fallback : spec.poll();
    }

    /**
     * Opens the device's serial port, or, when simulated, an in-memory link whose far end is run
     * by the simulator the supplier makes.
     */
    public SerialLink openSerial(java.util.function.Supplier<SerialSimulator> simulator) throws java.io.IOException {
        var settings = spec.serial().orElseThrow(() ->
                new IllegalStateException("device '" + spec.id() + "' has no serial settings"));
        return spec.simulated() ? hardware.serial().simulated(settings, simulator.get()) : hardware.serial().open(settings);
    }
}
