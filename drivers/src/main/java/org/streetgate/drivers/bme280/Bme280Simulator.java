package org.streetgate.drivers.bme280;

import java.util.Random;
import java.util.function.IntUnaryOperator;
import org.streetgate.drivers.transport.I2cSimulator;

/**
 * A BME280 in software: its register file as the bus sees it. Calibration sits at 0x88 and 0xE1;
 * {@code ctrl_hum} takes effect only when {@code ctrl_meas} is written after it (the latch the
 * datasheet describes); writing forced mode starts a measurement that takes the datasheet's time,
 * with {@code status.measuring} set meanwhile, then fills 0xF7..0xFE with the raw values that the
 * compensation turns back into the configured "true" environment; burst reads auto-increment.
 * Misbehaviour for tests: {@link #present(boolean)} (no acknowledge), {@link #stuck(boolean)}
 * (data registers frozen), {@link #chipId(int)} (0x58 plays a BMP280).
 */
public final class Bme280Simulator implements I2cSimulator {
    /** The conditions the simulated sensor measures. */
    public record Environment(double temperatureC, double pressureHpa, double humidityPct) {}

    /**
     * Bosch's BMP280 datasheet example for T and P (section 8.2, as in the codec test's vectors), with humidity
     * trimming typical of a BME280.
     */
    public static final Bme280Calibration DATASHEET_CALIBRATION = new Bme280Calibration(
            27504, 26435, -1000,
            36477, -10685, 3024, 2855, 140, -7, 15500, -14600, 6000,
            75, 362, 0, 313, 50, 30);

    private final byte[] regs = new byte[256];
    private final Bme280Calibration cal;
    private final Random noise;
    private Environment env;
    private boolean stuck;
    private boolean skipT;
    private boolean skipP;
    private boolean skipH;
    private boolean present = true;
    private boolean measuring;
    private long measuringUntil;
    private int latchedOsrsH;
    private long measurements;

    /** {@code seed} adds sensor noise of a few LSB; null for exact values. */
    public Bme280Simulator(Environment env, Bme280Calibration cal, Long seed) {
        this.env = env;
        this.cal = cal;
        this.noise = seed == null ? null : new Random(seed);
        System.arraycopy(cal.block1(), 0, regs, Bme280Calibration.BLOCK1, Bme280Calibration.BLOCK1_LENGTH);
        System.arraycopy(cal.block2(), 0, regs, Bme280Calibration.BLOCK2, Bme280Calibration.BLOCK2_LENGTH);
        regs[Bme280Codec.REG_CHIP_ID] = (byte) Bme280Codec.CHIP_ID_BME280;
        reset();
    }

    public Bme280Simulator(Environment env) {
        this(env, DATASHEET_CALIBRATION, null);
    }

    public synchronized void environment(Environment e) {
        env = e;
    }

    public synchronized void stuck(boolean on) {
        stuck = on;
    }

    public synchronized void present(boolean on) {
        present = on;
    }

    public synchronized void chipId(int id) {
        regs[Bme280Codec.REG_CHIP_ID] = (byte) id;
    }

    public synchronized long measurements() {
        return measurements;
    }

    @Override
    public synchronized boolean present() {
        return present;
    }

    /**
     * Measurements leave the chosen values at the "skipped" reset value (0x80000, 0x8000), as a chip
     * whose oversampling settings were lost to a brown-out between the writes and the measurement.
     */
    public synchronized void skip(boolean temperature, boolean pressure, boolean humidity) {
        skipT = temperature;
        skipP = pressure;
        skipH = humidity;
    }

    @Override
    public synchronized void read(int register, byte[] into) {
        finishIfDue();
        regs[Bme280Codec.REG_STATUS] = (byte) (measuring ? Bme280Codec.STATUS_MEASURING : 0);
        for (int i = 0; i < into.length; i++) {
            into[i] = regs[(register + i) & 0xFF];
        }
    }

    @Override
    public synchronized void write(int register, int value) {
        finishIfDue();
        switch (register) {
            case Bme280Codec.REG_RESET -> {
                if (value == Bme280Codec.RESET_WORD) {
                    reset();
                }
            }
            case Bme280Codec.REG_CTRL_HUM -> regs[register] = (byte) (value & 0x07); // held until ctrl_meas
            case Bme280Codec.REG_CONFIG -> regs[register] = (byte) value;
            case Bme280Codec.REG_CTRL_MEAS -> {
                regs[register] = (byte) value;
                latchedOsrsH = regs[Bme280Codec.REG_CTRL_HUM] & 0x07;
                int mode = value & 0x03;
                if (mode == 1 || mode == 2) {
                    measuring = true;
                    measuringUntil = System.nanoTime() + 1000 * Bme280Codec.maxMeasureMicros(
                            (value >> 5) & 7, (value >> 2) & 7, latchedOsrsH);
                }
            }
            default -> { } // read-only or unused: the chip ignores the write
        }
    }

    private void reset() {
        regs[Bme280Codec.REG_CTRL_HUM] = 0;
        regs[Bme280Codec.REG_CTRL_MEAS] = 0;
        regs[Bme280Codec.REG_CONFIG] = 0;
        latchedOsrsH = 0;
        measuring = false;
        byte[] skipped = Bme280Codec.encodeData(new Bme280Codec.Raw(
                Bme280Codec.SKIPPED_20BIT, Bme280Codec.SKIPPED_20BIT, Bme280Codec.SKIPPED_16BIT));
        System.arraycopy(skipped, 0, regs, Bme280Codec.REG_DATA, skipped.length);
    }

    private void finishIfDue() {
        if (!measuring || System.nanoTime() < measuringUntil) {
            return;
        }
        measuring = false;
        int ctrl = regs[Bme280Codec.REG_CTRL_MEAS];
        if ((ctrl & 0x03) == 1) {
            regs[Bme280Codec.REG_CTRL_MEAS] = (byte) (ctrl & ~0x03); // forced mode falls back to sleep
        }
        if (stuck) {
            return;
        }
        measurements++;
        Bme280Codec.Raw raw = rawFor(env, skipT ? 0 : (ctrl >> 5) & 7, skipP ? 0 : (ctrl >> 2) & 7,
                skipH ? 0 : latchedOsrsH);
        byte[] data = Bme280Codec.encodeData(raw);
        System.arraycopy(data, 0, regs, Bme280Codec.REG_DATA, data.length);
    }

    /** The raw values whose compensation gives {@code e}, or the "skipped" value where oversampling is 0. */
    Bme280Codec.Raw rawFor(Environment e, int osrsT, int osrsP, int osrsH) {
        int adcT = search(0, (1 << 20) - 1, true,
                adc -> Bme280Codec.temperature(Bme280Codec.tFine(adc, cal)), (int) Math.round(e.temperatureC() * 100));
        int tFine = Bme280Codec.tFine(adcT, cal);
        int adcP = search(0, (1 << 20) - 1, false,
                adc -> (int) (Bme280Codec.pressure(adc, tFine, cal) >> 4), (int) Math.round(e.pressureHpa() * 100 * 16));
        int adcH = search(0, 0xFFFF, true,
                adc -> Bme280Codec.humidity(adc, tFine, cal), (int) Math.round(e.humidityPct() * 1024));
        if (noise != null) {
            adcT += noise.nextInt(9) - 4;
            adcP += noise.nextInt(9) - 4;
            adcH += noise.nextInt(5) - 2;
        }
        return new Bme280Codec.Raw(osrsP == 0 ? Bme280Codec.SKIPPED_20BIT : adcP,
                osrsT == 0 ? Bme280Codec.SKIPPED_20BIT : adcT,
                osrsH == 0 ? Bme280Codec.SKIPPED_16BIT : adcH);
    }

    /** The input in [lo, hi] whose output is nearest {@code target}, for a monotonic {@code f}. */
    private static int search(int lo, int hi, boolean increasing, IntUnaryOperator f, int target) {
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            int v = f.applyAsInt(mid);
            if (increasing ? v < target : v > target) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        if (lo > 0 && Math.abs(f.applyAsInt(lo - 1) - target) < Math.abs(f.applyAsInt(lo) - target)) {
            return lo - 1;
        }
        return lo;
    }
}
