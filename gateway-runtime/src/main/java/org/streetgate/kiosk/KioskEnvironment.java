package org.streetgate.kiosk;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.streetgate.drivers.spi.Driver;
import org.streetgate.drivers.spi.Sink;

/**
 * What the kiosk service gets from the gateway.
 *
 * @param dataDir        where {@code kiosk.db} lives
 * @param events         where kiosk events go (the outbox); returns once they are durably stored
 * @param devices        the running driver for a device id of the profile, or null
 * @param platformOnline whether the uplink is connected now (the screen's offline banner)
 * @param health         the gateway's health snapshot, for the maintenance page
 * @param clock          wall-clock milliseconds, for code expiry
 * @param version        the firmware version, for the maintenance page
 */
public record KioskEnvironment(Path dataDir, Sink events, Function<String, Driver> devices,
                               BooleanSupplier platformOnline, Supplier<Map<String, Object>> health,
                               LongSupplier clock, String version, boolean signedCommands) {
    /** A kiosk on a gateway without command keys: platform commands may carry codes in clear. */
    public KioskEnvironment(Path dataDir, Sink events, Function<String, Driver> devices,
                            BooleanSupplier platformOnline, Supplier<Map<String, Object>> health,
                            LongSupplier clock, String version) {
        this(dataDir, events, devices, platformOnline, health, clock, version, false);
    }
}
