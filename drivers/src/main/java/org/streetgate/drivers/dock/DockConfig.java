package org.streetgate.drivers.dock;

import java.time.Duration;
import java.util.Locale;
import org.streetgate.drivers.config.ConfigReader;

/**
 * A drone dock's own profile keys (docs/drone-dock.md lists them with their defaults).
 *
 * @param motionTimeout      how long a cover motion may take before the cover is abnormal
 * @param launchBatteryMinPct the drone's charge a launch permit needs
 * @param launchPermitValid  how long a launch permit lasts if the drone does not leave
 * @param telemetryEvery     how often a reading is published; the PLC is polled at the device's {@code poll}
 * @param responseTimeout    how long to wait for the PLC's answer to one request
 * @param retries            further attempts after a timeout before the PLC counts as lost for this poll
 */
public record DockConfig(DockRegisterMap map, Limits limits, Duration motionTimeout, AutoClose autoClose,
                         int launchBatteryMinPct, Duration launchPermitValid, Duration telemetryEvery,
                         Duration responseTimeout, int retries, Simulation simulation) {

    /** The weather the cover may open in (and a launch be permitted in). */
    public record Limits(double windMaxMs, int rainMaxLevel, double temperatureMinC, double temperatureMaxC) {
        public Limits {
            if (temperatureMinC >= temperatureMaxC) {
                throw new IllegalArgumentException("temperature-min must be below temperature-max");
            }
        }

        public static Limits defaults() {
            return new Limits(12.0, 0, -20.0, 45.0);
        }
    }

    /** What closes an open cover on its own, while the drone is in the dock. */
    public record AutoClose(boolean rain, boolean wind, boolean sensorFault) {
        public static AutoClose all() {
            return new AutoClose(true, true, true);
        }
    }

    /**
     * How the simulated dock behaves: a scenario name ({@link DockScenario#NAMES}), the time the
     * cover takes end to end, and how fast scenario time runs (2.0 = twice as fast).
     */
    public record Simulation(String scenario, Duration coverTravel, double timeScale) {
        public static Simulation defaults() {
            return new Simulation("calm", Duration.ofSeconds(20), 1.0);
        }
    }

    public DockConfig {
        if (launchBatteryMinPct < 0 || launchBatteryMinPct > 100) {
            throw new IllegalArgumentException("launch battery minimum must be 0 to 100 %");
        }
    }

    /** Defaults for every key, with the given map; tests adjust with the withers. */
    public static DockConfig defaults(DockRegisterMap map) {
        return new DockConfig(map, Limits.defaults(), Duration.ofSeconds(40), AutoClose.all(), 50,
                Duration.ofSeconds(60), Duration.ofSeconds(10), Duration.ofMillis(300), 2, Simulation.defaults());
    }

    public DockConfig withMap(DockRegisterMap m) {
        return new DockConfig(m, limits, motionTimeout, autoClose, launchBatteryMinPct, launchPermitValid,
                telemetryEvery, responseTimeout, retries, simulation);
    }

    public DockConfig withMotionTimeout(Duration d) {
        return new DockConfig(map, limits, d, autoClose, launchBatteryMinPct, launchPermitValid, telemetryEvery,
                responseTimeout, retries, simulation);
    }

    public DockConfig withAutoClose(AutoClose a) {
        return new DockConfig(map, limits, motionTimeout, a, launchBatteryMinPct, launchPermitValid, telemetryEvery,
                responseTimeout, retries, simulation);
    }

    public DockConfig withLaunchPermitValid(Duration d) {
        return new DockConfig(map, limits, motionTimeout, autoClose, launchBatteryMinPct, d, telemetryEvery,
                responseTimeout, retries, simulation);
    }

    public DockConfig withTelemetryEvery(Duration d) {
        return new DockConfig(map, limits, motionTimeout, autoClose, launchBatteryMinPct, launchPermitValid, d,
                responseTimeout, retries, simulation);
    }

    public DockConfig withResponseTimeout(Duration d, int newRetries) {
        return new DockConfig(map, limits, motionTimeout, autoClose, launchBatteryMinPct, launchPermitValid,
                telemetryEvery, d, newRetries, simulation);
    }

    public DockConfig withSimulation(Simulation s) {
        return new DockConfig(map, limits, motionTimeout, autoClose, launchBatteryMinPct, launchPermitValid,
                telemetryEvery, responseTimeout, retries, s);
    }

    static DockConfig read(ConfigReader r) {
        DockRegisterMap map = DockRegisterMap.read(r);
        DockConfig d = defaults(map);
        Limits limits = d.limits();
        var lim = r.map("limits");
        if (lim.isPresent()) {
            ConfigReader m = lim.get();
            double windMax = m.number("wind-max", limits.windMaxMs());
            int rainMax = m.integer("rainfall-max", limits.rainMaxLevel(), 0, 3);
            double tMin = m.number("temperature-min", limits.temperatureMinC());
            double tMax = m.number("temperature-max", limits.temperatureMaxC());
            m.finish();
            if (windMax <= 0) {
                m.error("wind-max", "'wind-max' must be a positive speed in m/s");
            } else if (tMin >= tMax) {
                m.error("temperature-min", "'temperature-min' must be below 'temperature-max'");
            } else {
                limits = new Limits(windMax, rainMax, tMin, tMax);
            }
        }
        AutoClose auto = d.autoClose();
        var ac = r.map("auto-close");
        if (ac.isPresent()) {
            ConfigReader m = ac.get();
            auto = new AutoClose(m.bool("rain", true), m.bool("wind", true), m.bool("sensor-fault", true));
            m.finish();
        }
        int batteryMin = d.launchBatteryMinPct();
        Duration permitValid = d.launchPermitValid();
        var launch = r.map("launch");
        if (launch.isPresent()) {
            ConfigReader m = launch.get();
            batteryMin = m.integer("battery-min", batteryMin, 0, 100);
            permitValid = positive(m, "permit-valid", permitValid);
            m.finish();
        }
        Duration motion = positive(r, "motion-timeout", d.motionTimeout());
        Duration telemetry = positive(r, "telemetry-every", d.telemetryEvery());
        Duration response = positive(r, "response-timeout", d.responseTimeout());
        int retries = r.integer("retries", d.retries(), 0, 10);
        Simulation sim = d.simulation();
        var s = r.map("simulator");
        if (s.isPresent()) {
            ConfigReader m = s.get();
            String scenario = m.oneOf("scenario", sim.scenario(), DockScenario.NAMES);
            Duration travel = positive(m, "cover-travel", sim.coverTravel());
            double scale = m.number("time-scale", sim.timeScale());
            m.finish();
            if (scale <= 0) {
                m.error("time-scale", "'time-scale' must be positive");
                scale = 1.0;
            }
            sim = new Simulation(scenario, travel, scale);
        }
        return new DockConfig(map, limits, motion, auto, batteryMin, permitValid, telemetry, response, retries, sim);
    }

    private static Duration positive(ConfigReader r, String key, Duration fallback) {
        Duration v = r.duration(key, fallback);
        if (v.isZero()) {
            r.error(key, "'" + key + "' must be longer than 0");
            return fallback;
        }
        return v;
    }

    static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }
}
