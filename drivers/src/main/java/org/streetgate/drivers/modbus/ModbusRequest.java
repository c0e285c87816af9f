package org.streetgate.drivers.modbus;

import java.util.Arrays;

/**
 * One Modbus request as both ends see it.
 *
 * @param unit     the slave (unit) id, 1..247 (0 is broadcast, 248..255 reserved but seen in the wild)
 * @param function 3 read holding, 4 read input, 6 write single, 16 write multiple
 * @param address  the first register, 0-based as on the wire
 * @param count    registers to read or write (1 for FC06)
 * @param values   the values to write; empty for reads
 */
public record ModbusRequest(int unit, int function, int address, int count, int[] values) {
    public static final int READ_HOLDING = 3;
    public static final int READ_INPUT = 4;
    public static final int WRITE_SINGLE = 6;
    public static final int WRITE_MULTIPLE = 16;

    public ModbusRequest {
        if (unit < 0 || unit > 255) {
            throw new IllegalArgumentException("unit id must be 0..255, not " + unit);
        }
        if (address < 0 || address > 0xFFFF) {
            throw new IllegalArgumentException("register address must be 0..65535, not " + address);
        }
        values = values == null ? new int[0] : values.clone();
        switch (function) {
            case READ_HOLDING, READ_INPUT -> {
                if (count < 1 || count > 125) {
                    throw new IllegalArgumentException("a read takes 1..125 registers, not " + count);
                }
            }
            case WRITE_SINGLE -> {
                if (values.length != 1) {
                    throw new IllegalArgumentException("FC06 writes exactly one value");
                }
            }
            case WRITE_MULTIPLE -> {
                if (values.length < 1 || values.length > 123 || values.length != count) {
                    throw new IllegalArgumentException("FC16 writes 1..123 registers, not " + values.length);
                }
            }
            default -> throw new IllegalArgumentException("unsupported function code " + function);
        }
        for (int v : values) {
            if (v < 0 || v > 0xFFFF) {
                throw new IllegalArgumentException("register value must be 0..65535, not " + v);
            }
        }
    }

    public static ModbusRequest readHolding(int unit, int address, int count) {
        return new ModbusRequest(unit, READ_HOLDING, address, count, null);
    }

    public static ModbusRequest readInput(int unit, int address, int count) {
        return new ModbusRequest(unit, READ_INPUT, address, count, null);
    }

    public static ModbusRequest writeSingle(int unit, int address, int value) {
        return new ModbusRequest(unit, WRITE_SINGLE, address, 1, new int[] {value});
    }

    public static ModbusRequest writeMultiple(int unit, int address, int... values) {
        return new ModbusRequest(unit, WRITE_MULTIPLE, address, values.length, values);
    }

    @Override
    public int[] values() {
        return values.clone();
    }

    /** For error messages: {@code read input registers 0x0000..0x0001 (FC04)}. */
    public String describe() {
        String what = switch (function) {
            case READ_HOLDING -> "read holding register";
            case READ_INPUT -> "read input register";
            case WRITE_SINGLE -> "write register";
            default -> "write registers";
        };
        String range = count == 1 ? String.format("0x%04X", address)
                : String.format("0x%04X..0x%04X", address, address + count - 1);
        return what + (count == 1 || function == WRITE_MULTIPLE ? " " : "s ") + range
                + String.format(" (FC%02d)", function);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModbusRequest r && r.unit == unit && r.function == function && r.address == address
                && r.count == count && Arrays.equals(r.values, values);
    }

    @Override
    public int hashCode() {
        return ((unit * 31 + function) * 31 + address) * 31 + count * 31 + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "unit " + unit + " " + describe() + (values.length == 0 ? "" : " " + Arrays.toString(values));
    }
}
