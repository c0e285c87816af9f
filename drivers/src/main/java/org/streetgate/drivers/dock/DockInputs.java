package org.streetgate.drivers.dock;

import java.util.EnumSet;
import java.util.Set;

/**
 * One poll of the dock PLC's input registers, decoded. Values of a failed weather sensor are kept
 * as the PLC sent them but must not be trusted: check {@link #failed(Sensor)} first.
 */
public record DockInputs(CoverReport cover, int coverPositionPct, double windSpeedMs, int rainfallLevel,
                         double temperatureC, boolean dronePresent, ChargerState charger, int droneBatteryPct,
                         EStop estop, Set<Sensor> failedSensors) {

    /** The cover as the PLC's limit switches see it (register {@code cover-state}). */
    public enum CoverReport {
        CLOSED, OPEN, HALF_OPEN, FAULT;

        static CoverReport of(int raw) {
            return switch (raw) {
                case 0 -> CLOSED;
                case 1 -> OPEN;
                case 2 -> HALF_OPEN;
                default -> FAULT; // 3, or a value the map does not define
            };
        }

        int wire() {
            return switch (this) {
                case CLOSED -> 0;
                case OPEN -> 1;
                case HALF_OPEN -> 2;
                case FAULT -> 3;
            };
        }
    }

    public enum ChargerState {
        OFF, CHARGING, FULL;

        static ChargerState of(int raw) {
            return raw == 1 ? CHARGING : raw == 2 ? FULL : OFF;
        }
    }

    /** The emergency stop: pressed, or released but still latched until a reset. */
    public enum EStop {
        RELEASED, PRESSED, LATCHED;

        static EStop of(int raw) {
            return switch (raw) {
                case 0 -> RELEASED;
                case 2 -> LATCHED;
                default -> PRESSED; // an unknown value is treated as the unsafe one
            };
        }

        int wire() {
            return ordinal();
        }
    }

    /** The weather station's sensors; bit {@code ordinal()} of the {@code sensor-faults} register. */
    public enum Sensor {
        WIND, RAIN, TEMPERATURE;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public DockInputs {
        failedSensors = failedSensors.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(failedSensors));
    }

    public boolean failed(Sensor s) {
        return failedSensors.contains(s);
    }

    /** A dock at rest in fair weather, drone in and charged, charger off; tests change what they need with the withers. */
    public static DockInputs calm() {
        return new DockInputs(CoverReport.CLOSED, 0, 2.0, 0, 18.0, true, ChargerState.OFF, 100,
                EStop.RELEASED, Set.of());
    }

    public DockInputs withCover(CoverReport c, int positionPct) {
        return new DockInputs(c, positionPct, windSpeedMs, rainfallLevel, temperatureC, dronePresent, charger,
                droneBatteryPct, estop, failedSensors);
    }

    public DockInputs withWeather(double windMs, int rain, double tempC) {
        return new DockInputs(cover, coverPositionPct, windMs, rain, tempC, dronePresent, charger,
                droneBatteryPct, estop, failedSensors);
    }

    public DockInputs withDrone(boolean present, int batteryPct, ChargerState c) {
        return new DockInputs(cover, coverPositionPct, windSpeedMs, rainfallLevel, temperatureC, present, c,
                batteryPct, estop, failedSensors);
    }

    public DockInputs withEStop(EStop e) {
        return new DockInputs(cover, coverPositionPct, windSpeedMs, rainfallLevel, temperatureC, dronePresent,
                charger, droneBatteryPct, e, failedSensors);
    }

    public DockInputs withFailed(Set<Sensor> failed) {
        return new DockInputs(cover, coverPositionPct, windSpeedMs, rainfallLevel, temperatureC, dronePresent,
                charger, droneBatteryPct, estop, failed);
    }
}
