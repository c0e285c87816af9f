package org.streetgate.drivers.pms5003;

import java.time.Duration;
import java.util.List;
import org.streetgate.drivers.config.ConfigReader;

/**
 * @param mode          {@code passive}: the gateway asks for each frame (default); {@code active}:
 *                      the sensor streams a frame about every second and the driver keeps one per poll
 * @param frameTimeout  how long to wait for an answer before counting a timeout
 * @param sleep         put the sensor (and its fan, whose life is ~8000 h) to sleep between polls
 * @param wakeAhead     how long before a poll to wake it: the datasheet asks 30 s for stable values
 * @param stuckAfter    polls with an identical frame before the sensor is reported stuck; 0 = never
 */
public record Pms5003Config(Mode mode, Duration frameTimeout, boolean sleep, Duration wakeAhead, int stuckAfter) {
    public enum Mode { PASSIVE, ACTIVE }

    public Pms5003Config(Mode mode, Duration frameTimeout) {
        this(mode, frameTimeout, false, Duration.ofSeconds(30), 0);
    }

    static Pms5003Config read(ConfigReader r) {
        String mode = r.oneOf("mode", "passive", List.of("passive", "active"));
        Duration timeout = r.duration("frame-timeout", Duration.ofSeconds(3));
        boolean sleep = r.bool("sleep-between-polls", true);
        Duration wakeAhead = r.duration("wake-ahead", Duration.ofSeconds(30));
        int stuckAfter = r.integer("stuck-after", 0, 0, 1_000_000);
        return new Pms5003Config(Mode.valueOf(mode.toUpperCase(java.util.Locale.ROOT)), timeout, sleep, wakeAhead,
                stuckAfter);
    }
}
