package org.streetgate.drivers.meter;

import java.math.BigDecimal;
import java.math.MathContext;
import org.streetgate.drivers.modbus.ModbusRequest;
import org.streetgate.drivers.modbus.RegisterType;

/**
 * One value a meter publishes: where it lives and how raw register content becomes the metric,
 * {@code metric = raw * scale + offset}. A level sensor that measures the distance down to the water
 * publishes {@code water_level_m} with {@code scale: -0.001} (mm, and farther means lower) and
 * {@code offset:} its mount height in metres.
 *
 * @param function 3 (holding registers) or 4 (input registers)
 */
public record MeterRegister(int address, int function, RegisterType type, RegisterType.WordOrder order,
                            double scale, double offset, String metric) {
    public MeterRegister {
        if (function != ModbusRequest.READ_HOLDING && function != ModbusRequest.READ_INPUT) {
            throw new IllegalArgumentException("function must be 3 or 4, not " + function);
        }
        if (address < 0 || address + type.words() - 1 > 0xFFFF) {
            throw new IllegalArgumentException("register address out of range: " + address);
        }
    }

    /** A float32 input register, high word first: how Eastron meters lay out every value. */
    public static MeterRegister eastron(int address, String metric) {
        return new MeterRegister(address, ModbusRequest.READ_INPUT, RegisterType.FLOAT32,
                RegisterType.WordOrder.HIGH_FIRST, 1, 0, metric);
    }

    /** What a register's content means: a value, or one the device says it could not measure. */
    public sealed interface Decoded permits Value, Invalid {}

    /** A measured value, scaled. */
    public record Value(double value) implements Decoded {}

    /** A float32 holding NaN or an infinity: the meter had nothing to measure (e.g. a phase not wired). */
    public record Invalid(String metric, String reason) implements Decoded {}

    /** The metric's value from the registers of a block read starting at {@code blockStart}. */
    public Decoded decode(int[] block, int blockStart) {
        double raw = type.decode(block, address - blockStart, order);
        if (!Double.isFinite(raw)) {
            return new Invalid(metric, (Double.isNaN(raw) ? "NaN" : raw > 0 ? "+Infinity" : "-Infinity")
                    + " in register " + address);
        }
        double v = raw * scale + offset;
        if (!Double.isFinite(v)) {
            return new Invalid(metric, "scaled value out of range in register " + address);
        }
        // 12 significant digits: 4.2 - 3.0 is 1.2, not 1.2000000000000002.
        return new Value(v == 0 ? 0 : new BigDecimal(v).round(new MathContext(12)).doubleValue());
    }

    /**
     * The metric's value, for callers that have checked the register holds one.
     *
     * @throws IllegalArgumentException when it holds NaN or an infinity
     */
    public double value(int[] block, int blockStart) {
        return switch (decode(block, blockStart)) {
            case Value v -> v.value();
            case Invalid i -> throw new IllegalArgumentException(metric + ": " + i.reason());
        };
    }

    /** The raw register content that makes {@code value} (for the simulator). */
    public int[] encode(double value) {
        return type.encode(scale == 0 ? 0 : (value - offset) / scale, order);
    }

    public int end() {
        return address + type.words();
    }
}
