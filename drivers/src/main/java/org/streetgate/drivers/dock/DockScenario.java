package org.streetgate.drivers.dock;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.streetgate.drivers.dock.DockInputs.Sensor;

/**
 * Scripted weather (and motor trouble) for the simulated dock: a list of steps that repeats every
 * {@code period}, each holding until the next one starts.
 *
 * @param stallAtPct when not null, the cover motor stalls at this position on every opening
 */
public record DockScenario(String name, Duration period, List<Step> steps, Integer stallAtPct) {

    /** The weather station's readings; values of sensors in {@code failed} are garbage on the wire. */
    public record Weather(double windMs, int rainfallLevel, double temperatureC, Set<Sensor> failed) {
        public Weather {
            failed = Set.copyOf(failed);
        }

        public static Weather fair() {
            return new Weather(3.0, 0, 18.0, Set.of());
        }

        public Weather withWind(double ms) {
            return new Weather(ms, rainfallLevel, temperatureC, failed);
        }

        public Weather withRain(int level) {
            return new Weather(windMs, level, temperatureC, failed);
        }

        public Weather withTemperature(double c) {
            return new Weather(windMs, rainfallLevel, c, failed);
        }

        public Weather withFailed(Sensor... sensors) {
            return new Weather(windMs, rainfallLevel, temperatureC, Set.of(sensors));
        }
    }

    /** From {@code at} (within a period) until the next step, the weather is {@code weather}. */
    public record Step(Duration at, Weather weather) {}

    public static final List<String> NAMES = List.of("calm", "gusts", "rain-shower", "sensor-failure", "motor-stall");

    public DockScenario {
        steps = List.copyOf(steps);
        if (steps.isEmpty() || !steps.get(0).at().isZero()) {
            throw new IllegalArgumentException("a scenario's first step starts at 0");
        }
    }

    /**
     * The built-in scenarios, in scenario seconds (a simulator's time scale speeds them up):
     * <ul>
     *   <li>{@code calm}: 3 m/s, dry, 18 °C, always;</li>
     *   <li>{@code gusts}: 6 m/s with a 15 m/s gust for 8 s every 60 s, starting at 20 s;</li>
     *   <li>{@code rain-shower}: dry for 30 s, light rain (1) for 10 s, moderate rain (2) for 40 s,
     *       dry again; every 120 s;</li>
     *   <li>{@code sensor-failure}: the anemometer fails from 30 s to 90 s of every 120 s;</li>
     *   <li>{@code motor-stall}: fair weather, but the cover motor stalls at 40 % on every opening.</li>
     * </ul>
     */
    public static DockScenario named(String name) {
        Weather fair = Weather.fair();
        return switch (name) {
            case "calm" -> new DockScenario(name, Duration.ofHours(1), List.of(new Step(Duration.ZERO, fair)), null);
            case "gusts" -> new DockScenario(name, Duration.ofSeconds(60), List.of(
                    new Step(Duration.ZERO, fair.withWind(6.0)),
                    new Step(Duration.ofSeconds(20), fair.withWind(15.0)),
                    new Step(Duration.ofSeconds(28), fair.withWind(6.0))), null);
            case "rain-shower" -> new DockScenario(name, Duration.ofSeconds(120), List.of(
                    new Step(Duration.ZERO, fair),
                    new Step(Duration.ofSeconds(30), fair.withRain(1).withWind(5.0)),
                    new Step(Duration.ofSeconds(40), fair.withRain(2).withWind(6.0).withTemperature(14.0)),
                    new Step(Duration.ofSeconds(80), fair)), null);
            case "sensor-failure" -> new DockScenario(name, Duration.ofSeconds(120), List.of(
                    new Step(Duration.ZERO, fair),
                    new Step(Duration.ofSeconds(30), fair.withFailed(Sensor.WIND)),
                    new Step(Duration.ofSeconds(90), fair)), null);
            case "motor-stall" -> new DockScenario(name, Duration.ofHours(1),
                    List.of(new Step(Duration.ZERO, fair)), 40);
            default -> throw new IllegalArgumentException("no dock scenario named '" + name + "'; try one of " + NAMES);
        };
    }

    /** The weather {@code elapsed} scenario time after the start. */
    public Weather at(Duration elapsed) {
        long t = Math.floorMod(elapsed.toNanos(), period.toNanos());
        Weather w = steps.get(0).weather();
        for (Step s : steps) {
            if (s.at().toNanos() <= t) {
                w = s.weather();
            }
        }
        return w;
    }
}
