package org.streetgate.drivers.testing;

import java.time.Duration;
import org.streetgate.drivers.meter.ModbusMeterFactory;
import org.streetgate.drivers.spi.DeviceStatus;
import org.streetgate.drivers.spi.Driver;
import org.streetgate.drivers.transport.Hardware;

/**
 * Run as an unprivileged user by {@code SerialPermissionIT}: starts a modbus-meter on the port in
 * args[0] and prints the device status the runtime would show, then exits.
 */
public final class PermissionProbe {
    private PermissionProbe() {}

    public static void main(String[] args) throws Exception {
        var cfg = new ModbusMeterFactory().parseConfig(new Configs().reader(Configs.map("unit", 1, "map", "sdm120")));
        try (Hardware hw = new Hardware()) {
            Driver d = new ModbusMeterFactory().create(Contexts.serial("meter", "modbus-meter", Duration.ofMillis(100),
                    args[0], 9600, false, cfg, m -> { }, hw));
            d.start();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (d.status().state() != DeviceStatus.State.OFFLINE && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            System.out.println("state=" + d.status().state().wire());
            System.out.println("error=" + d.status().snapshot().lastError());
            d.stop();
        }
    }
}
