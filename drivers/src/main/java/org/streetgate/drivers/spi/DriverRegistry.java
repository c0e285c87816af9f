package org.streetgate.drivers.spi;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.streetgate.drivers.pms5003.Pms5003Factory;

/** The drivers StreetGate ships. Adding a driver is one line here. */
public final class DriverRegistry {
    private final Map<String, DriverFactory<?>> byName = new TreeMap<>();

    public DriverRegistry(List<DriverFactory<?>> factories) {
        for (DriverFactory<?> f : factories) {
            if (byName.put(f.name(), f) != null) {
                throw new IllegalArgumentException("two drivers named " + f.name());
            }
        }
    }

    public static DriverRegistry builtIn() {
        return new DriverRegistry(List.of(
                new Pms5003Factory(),
                new org.streetgate.drivers.dock.DockFactory(),
                new org.streetgate.drivers.meter.ModbusMeterFactory(),
                new org.streetgate.drivers.gpio.GpioInputFactory(),
                new org.streetgate.drivers.gpio.GpioOutputFactory(),
                new org.streetgate.drivers.bme280.Bme280Factory(),
                new org.streetgate.drivers.locker.KerongFactory(),
                new org.streetgate.drivers.escpos.EscPosFactory(),
                new org.streetgate.drivers.qrscanner.QrScannerFactory()));
    }

    public Optional<DriverFactory<?>> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public java.util.Set<String> names() {
        return byName.keySet();
    }
}
