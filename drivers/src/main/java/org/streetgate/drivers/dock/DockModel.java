package org.streetgate.drivers.dock;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.LongSupplier;
import org.streetgate.drivers.dock.DockInputs.ChargerState;
import org.streetgate.drivers.dock.DockInputs.CoverReport;
import org.streetgate.drivers.dock.DockInputs.EStop;
import org.streetgate.drivers.dock.DockInputs.Sensor;
import org.streetgate.drivers.dock.DockScenario.Weather;

/**
 * The physics of a dock, as its PLC would see it: a cover motor that takes {@code coverTravel} from
 * closed to open, a charger that fills the drone's battery, an emergency stop, and the weather of a
 * {@link DockScenario}. Time comes from an injectable nanosecond clock, so tests step it instead of
 * sleeping. Thread-safe: the simulator thread and a test's controls share it.
 */
public final class DockModel {
    private final LongSupplier clock;
    private final Duration coverTravel;
    private final double timeScale;
    private final long startedAt;
    private DockScenario scenario;
    private Weather manualWeather;
    private Integer stallAtPct;

    private long lastUpdate;
    private double position; // 0 closed .. 100 open
    private int motor; // +1 opening, -1 closing, 0 stopped
    private boolean stalled;
    private boolean coverFault;
    private boolean chargerCoil;
    private boolean permitCoil;
    private boolean dronePresent = true;
    private double battery = 80;
    private EStop estop = EStop.RELEASED;
    private long motions;

    /** Battery percent gained per second of charging (scaled with time). */
    private static final double CHARGE_PCT_PER_S = 0.5;

    public DockModel(DockScenario scenario, Duration coverTravel, double timeScale, LongSupplier nanoClock) {
        if (coverTravel.isZero() || coverTravel.isNegative()) {
            throw new IllegalArgumentException("cover travel must be positive");
        }
        this.clock = nanoClock;
        this.coverTravel = coverTravel;
        this.timeScale = timeScale;
        this.scenario = scenario;
        this.stallAtPct = scenario.stallAtPct();
        this.startedAt = nanoClock.getAsLong();
        this.lastUpdate = startedAt;
    }

    public static DockModel of(DockConfig.Simulation s) {
        return new DockModel(DockScenario.named(s.scenario()), s.coverTravel(), s.timeScale(), System::nanoTime);
    }

    /** What the PLC's input registers hold now. */
    public synchronized DockInputs inputs() {
        advance();
        Weather w = weather();
        CoverReport report = coverFault ? CoverReport.FAULT
                : position <= 0 ? CoverReport.CLOSED : position >= 100 ? CoverReport.OPEN : CoverReport.HALF_OPEN;
        ChargerState charger = !chargerCoil || !dronePresent || estop != EStop.RELEASED ? ChargerState.OFF
                : battery >= 100 ? ChargerState.FULL : ChargerState.CHARGING;
        Set<Sensor> failed = w.failed().isEmpty() ? Set.of() : EnumSet.copyOf(w.failed());
        // A failed sensor's register holds whatever the PLC last latched; make it implausible on purpose.
        double wind = failed.contains(Sensor.WIND) ? 0.0 : w.windMs();
        return new DockInputs(report, (int) Math.floor(position), wind, w.rainfallLevel(), w.temperatureC(),
                dronePresent, charger, dronePresent ? (int) Math.floor(battery) : 0, estop, failed);
    }

    // --- coils, as the PLC carries them out ---

    /** Momentary: starts opening, unless the e-stop holds the motor. */
    public synchronized void coverOpen() {
        startMotor(+1);
    }

    public synchronized void coverClose() {
        startMotor(-1);
    }

    public synchronized void coverStop() {
        advance();
        motor = 0;
    }

    public synchronized void charger(boolean on) {
        advance();
        chargerCoil = on;
    }

    public synchronized void launchPermit(boolean on) {
        permitCoil = on;
    }

    /** Clears the e-stop latch once the button is released; a pressed button ignores it, like the real PLC. */
    public synchronized void estopReset() {
        if (estop == EStop.LATCHED) {
            estop = EStop.RELEASED;
        }
    }

    // --- controls for tests and demos: the world outside the PLC ---

    public synchronized void pressEStop() {
        advance();
        estop = EStop.PRESSED;
        motor = 0;
    }

    public synchronized void releaseEStop() {
        if (estop == EStop.PRESSED) {
            estop = EStop.LATCHED;
        }
    }

    public synchronized void droneLeaves() {
        advance();
        dronePresent = false;
    }

    public synchronized void droneReturns(int batteryPct) {
        advance();
        dronePresent = true;
        battery = batteryPct;
    }

    /** Fixes the weather, overriding the scenario from now on. */
    public synchronized void weather(Weather w) {
        advance();
        manualWeather = w;
    }

    /** The motor stalls when the cover reaches {@code pct} while opening; null never. */
    public synchronized void stallAt(Integer pct) {
        advance();
        stallAtPct = pct;
        stalled = false;
    }

    /** The PLC reports a cover fault (e.g. motor overcurrent) until cleared. */
    public synchronized void coverFault(boolean fault) {
        advance();
        coverFault = fault;
        if (fault) {
            motor = 0;
        }
    }

    /** Puts the cover where a test needs it, e.g. fully open, without a motion. */
    public synchronized void coverAt(double pct) {
        advance();
        position = Math.max(0, Math.min(100, pct));
        motor = 0;
    }

    public synchronized boolean chargerCoil() {
        return chargerCoil;
    }

    public synchronized boolean launchPermitCoil() {
        return permitCoil;
    }

    public synchronized boolean motorRunning() {
        advance();
        return motor != 0;
    }

    public synchronized double coverPosition() {
        advance();
        return position;
    }

    /** How many motions the motor has started, for tests that check a command moved nothing. */
    public synchronized long motions() {
        return motions;
    }

    public synchronized Weather weather() {
        if (manualWeather != null) {
            return manualWeather;
        }
        long elapsed = (long) ((clock.getAsLong() - startedAt) * timeScale);
        return scenario.at(Duration.ofNanos(elapsed));
    }

    private void startMotor(int direction) {
        advance();
        if (estop != EStop.RELEASED || coverFault) {
            return;
        }
        motor = direction;
        stalled = false;
        motions++;
    }

    /** Moves the world forward to the clock's now. */
    private void advance() {
        long now = clock.getAsLong();
        double seconds = (now - lastUpdate) / 1e9;
        lastUpdate = now;
        if (seconds <= 0) {
            return;
        }
        if (motor != 0 && !stalled) {
            double next = position + motor * 100.0 * seconds * 1e9 / coverTravel.toNanos();
            if (motor > 0 && stallAtPct != null && position < stallAtPct && next >= stallAtPct) {
                next = stallAtPct;
                stalled = true; // the motor still runs (and draws current), the cover does not move
            }
            position = Math.max(0, Math.min(100, next));
            if (position == 0 || position == 100) {
                motor = 0; // the limit switch cuts the motor
            }
        }
        if (chargerCoil && dronePresent && estop == EStop.RELEASED) {
            battery = Math.min(100, battery + CHARGE_PCT_PER_S * seconds * timeScale);
        }
    }
}
