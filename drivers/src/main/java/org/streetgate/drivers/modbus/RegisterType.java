package org.streetgate.drivers.modbus;

/**
 * How a value is laid out in 16-bit registers. 32-bit types span two registers; {@link WordOrder}
 * says which comes first (Eastron meters and most devices: the high word).
 */
public enum RegisterType {
    INT16(1), UINT16(1), INT32(2), UINT32(2), FLOAT32(2);

    public enum WordOrder { HIGH_FIRST, LOW_FIRST }

    private final int words;

    RegisterType(int words) {
        this.words = words;
    }

    public int words() {
        return words;
    }

    public String wire() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The value at {@code regs[at]} (and {@code regs[at + 1]} for 32-bit types). */
    public double decode(int[] regs, int at, WordOrder order) {
        if (words == 1) {
            int v = regs[at] & 0xFFFF;
            return this == INT16 ? (short) v : v;
        }
        int hi = order == WordOrder.HIGH_FIRST ? regs[at] : regs[at + 1];
        int lo = order == WordOrder.HIGH_FIRST ? regs[at + 1] : regs[at];
        int bits = (hi & 0xFFFF) << 16 | (lo & 0xFFFF);
        return switch (this) {
            case INT32 -> bits;
            case UINT32 -> bits & 0xFFFF_FFFFL;
            // The shortest decimal that is this float: 0.98f reads 0.98, not 0.9800000190734863.
            default -> Double.parseDouble(Float.toString(Float.intBitsToFloat(bits)));
        };
    }

    /** The registers that hold {@code value} (rounded for integer types, clamped to the type's range). */
    public int[] encode(double value, WordOrder order) {
        int bits = switch (this) {
            case INT16 -> (int) Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, Math.round(value))) & 0xFFFF;
            case UINT16 -> (int) Math.max(0, Math.min(0xFFFF, Math.round(value)));
            case INT32 -> (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, Math.round(value)));
            case UINT32 -> (int) Math.max(0, Math.min(0xFFFF_FFFFL, Math.round(value)));
            case FLOAT32 -> Float.floatToIntBits((float) value);
        };
        if (words == 1) {
            return new int[] {bits};
        }
        int hi = bits >>> 16;
        int lo = bits & 0xFFFF;
        return order == WordOrder.HIGH_FIRST ? new int[] {hi, lo} : new int[] {lo, hi};
    }
}
