package org.streetgate.drivers.bme280;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The BME280's registers and Bosch's integer compensation (datasheet section 4.2.3: 32-bit for
 * temperature and humidity, 64-bit for pressure), without I/O. Raw values come from the 8-byte
 * burst at 0xF7: pressure and temperature 20 bits each (MSB, LSB, XLSB[7:4]), humidity 16 bits.
 */
public final class Bme280Codec {
    public static final int REG_CHIP_ID = 0xD0;
    public static final int REG_RESET = 0xE0;
    public static final int REG_CTRL_HUM = 0xF2;
    public static final int REG_STATUS = 0xF3;
    public static final int REG_CTRL_MEAS = 0xF4;
    public static final int REG_CONFIG = 0xF5;
    public static final int REG_DATA = 0xF7;
    public static final int DATA_LENGTH = 8;

    public static final int CHIP_ID_BME280 = 0x60;
    public static final int CHIP_ID_BMP280 = 0x58;
    public static final int RESET_WORD = 0xB6;
    public static final int STATUS_MEASURING = 0x08;
    public static final int STATUS_IM_UPDATE = 0x01;
    public static final int MODE_FORCED = 0x01;

    /** What a skipped measurement (oversampling 0) or a chip after reset leaves in the data registers. */
    public static final int SKIPPED_20BIT = 0x80000;
    public static final int SKIPPED_16BIT = 0x8000;

    private Bme280Codec() {}

    /** Raw ADC values of one measurement. */
    public record Raw(int pressure, int temperature, int humidity) {}

    /** Compensated values: temperature in 0.01 degC, pressure in Pa Q24.8, humidity in %RH Q22.10. */
    public record Compensated(int tFine, int temperature, long pressure, int humidity) {
        public double temperatureC() {
            return temperature / 100.0;
        }

        public double pressureHpa() {
            return Math.round(pressure / 256.0) / 100.0;
        }

        public double humidityPct() {
            return Math.round(humidity * 100 / 1024.0) / 100.0;
        }
    }

    public static Raw parseData(byte[] b) {
        if (b.length != DATA_LENGTH) {
            throw new IllegalArgumentException("the data burst is 8 bytes");
        }
        int p = (b[0] & 0xFF) << 12 | (b[1] & 0xFF) << 4 | (b[2] & 0xFF) >> 4;
        int t = (b[3] & 0xFF) << 12 | (b[4] & 0xFF) << 4 | (b[5] & 0xFF) >> 4;
        int h = (b[6] & 0xFF) << 8 | (b[7] & 0xFF);
        return new Raw(p, t, h);
    }

    public static byte[] encodeData(Raw r) {
        return new byte[] {(byte) (r.pressure() >> 12), (byte) (r.pressure() >> 4), (byte) (r.pressure() << 4),
                (byte) (r.temperature() >> 12), (byte) (r.temperature() >> 4), (byte) (r.temperature() << 4),
                (byte) (r.humidity() >> 8), (byte) r.humidity()};
    }

    /** {@code ctrl_meas}: temperature and pressure oversampling codes (0 skip, 1..5 = x1..x16) and mode. */
    public static int ctrlMeas(int osrsT, int osrsP, int mode) {
        return osrsT << 5 | osrsP << 2 | mode;
    }

    /** Oversampling factor for a code: 0 (skipped), 1, 2, 4, 8, 16. */
    public static int factor(int code) {
        return code == 0 ? 0 : 1 << Math.min(code - 1, 4);
    }

    /** The datasheet's maximum measurement time (appendix B) in microseconds. */
    public static long maxMeasureMicros(int osrsT, int osrsP, int osrsH) {
        return 1250 + 2300L * factor(osrsT)
                + (osrsP == 0 ? 0 : 2300L * factor(osrsP) + 575)
                + (osrsH == 0 ? 0 : 2300L * factor(osrsH) + 575);
    }

    /** Returns t_fine; the temperature in 0.01 degC is {@code (t_fine * 5 + 128) >> 8}. */
    public static int tFine(int adcT, Bme280Calibration c) {
        int var1 = (((adcT >> 3) - (c.t1() << 1)) * c.t2()) >> 11;
        int var2 = (((((adcT >> 4) - c.t1()) * ((adcT >> 4) - c.t1())) >> 12) * c.t3()) >> 14;
        return var1 + var2;
    }

    public static int temperature(int tFine) {
        return (tFine * 5 + 128) >> 8;
    }

    /** Pressure in Pa as Q24.8 (divide by 256). */
    public static long pressure(int adcP, int tFine, Bme280Calibration c) {
        long var1 = (long) tFine - 128000;
        long var2 = var1 * var1 * c.p6();
        var2 = var2 + ((var1 * c.p5()) << 17);
        var2 = var2 + (((long) c.p4()) << 35);
        var1 = ((var1 * var1 * c.p3()) >> 8) + ((var1 * c.p2()) << 12);
        var1 = ((((1L) << 47) + var1) * c.p1()) >> 33;
        if (var1 == 0) {
            return 0; // the datasheet's guard against division by zero
        }
        long p = 1048576 - adcP;
        p = (((p << 31) - var2) * 3125) / var1;
        var1 = (((long) c.p9()) * (p >> 13) * (p >> 13)) >> 25;
        var2 = (((long) c.p8()) * p) >> 19;
        p = ((p + var1 + var2) >> 8) + (((long) c.p7()) << 4);
        return p & 0xFFFF_FFFFL;
    }

    /** Relative humidity in % as Q22.10 (divide by 1024). */
    public static int humidity(int adcH, int tFine, Bme280Calibration c) {
        int v = tFine - 76800;
        v = (((((adcH << 14) - (c.h4() << 20) - (c.h5() * v)) + 16384) >> 15)
                * (((((((v * c.h6()) >> 10) * (((v * c.h3()) >> 11) + 32768)) >> 10) + 2097152) * c.h2() + 8192) >> 14));
        v = v - (((((v >> 15) * (v >> 15)) >> 7) * c.h1()) >> 4);
        v = Math.max(0, Math.min(419430400, v));
        return v >> 12;
    }

    /** The BME280's operating range (datasheet table 1): a value outside it is not a measurement. */
    public static final double MIN_TEMPERATURE_C = -40;
    public static final double MAX_TEMPERATURE_C = 85;
    public static final double MIN_PRESSURE_HPA = 300;
    public static final double MAX_PRESSURE_HPA = 1100;

    /** What one measurement gives: the metrics to publish, and why each other one was left out. */
    public record Measurement(Map<String, Double> metrics, List<String> invalid) {
        public Measurement {
            metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
            invalid = List.copyOf(invalid);
        }
    }

    /**
     * Compensates what was measured and leaves out what was not: a raw value still at its "skipped"
     * reset value (0x80000 for temperature and pressure, 0x8000 for humidity, per Bosch), or a result
     * outside the sensor's range. Pressure and humidity need the temperature's t_fine, so a skipped
     * temperature leaves nothing.
     */
    public static Measurement measure(Raw r, Bme280Calibration c) {
        Map<String, Double> m = new LinkedHashMap<>();
        List<String> invalid = new ArrayList<>();
        if (r.temperature() == SKIPPED_20BIT) {
            invalid.add("temperature_c (skipped: raw 0x80000)");
            invalid.add("pressure_hpa (needs the skipped temperature)");
            invalid.add("humidity_pct (needs the skipped temperature)");
            return new Measurement(m, invalid);
        }
        Compensated v = compensate(r, c);
        if (v.temperatureC() < MIN_TEMPERATURE_C || v.temperatureC() > MAX_TEMPERATURE_C) {
            invalid.add("temperature_c (" + v.temperatureC() + " outside -40..85)");
        } else {
            m.put("temperature_c", v.temperatureC());
        }
        if (r.pressure() == SKIPPED_20BIT) {
            invalid.add("pressure_hpa (skipped: raw 0x80000)");
        } else if (v.pressureHpa() < MIN_PRESSURE_HPA || v.pressureHpa() > MAX_PRESSURE_HPA) {
            invalid.add("pressure_hpa (" + v.pressureHpa() + " outside 300..1100)");
        } else {
            m.put("pressure_hpa", v.pressureHpa());
        }
        if (r.humidity() == SKIPPED_16BIT) {
            invalid.add("humidity_pct (skipped: raw 0x8000)");
        } else {
            m.put("humidity_pct", v.humidityPct()); // the compensation clamps it to 0..100
        }
        return new Measurement(m, invalid);
    }

    public static Compensated compensate(Raw r, Bme280Calibration c) {
        int tFine = tFine(r.temperature(), c);
        return new Compensated(tFine, temperature(tFine), pressure(r.pressure(), tFine, c), humidity(r.humidity(), tFine, c));
    }
}
