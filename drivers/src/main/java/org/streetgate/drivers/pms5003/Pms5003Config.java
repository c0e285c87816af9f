package org.streetgate.drivers.pms5003;

import java.time.Duration;
import java.util.List;
import org.streetgate.drivers.config.ConfigReader;

/**
 * @param mode          {@code passive}: the gateway asks for each frame (default); {@code active}:
 *                      the sensor streams a frame about every second and the driver keeps one per poll
 * @param frameTimeout  how long to wait for an answer before counting a timeout
 */
public record Pms5003Config(Mode mode, Duration frameTimeout) {
    public enum Mode { PASSIVE, ACTIVE }

    static Pms5003Config read(ConfigReader r) {
        String mode = r.oneOf("mode", "passive", List.of("passive", "active"));
        Duration timeout = r.duration("frame-timeout", Duration.ofSeconds(3));
        return new Pms5003Config(Mode.valueOf(mode.toUpperCase(java.util.Locale.ROOT)), timeout);
    }
}
