package org.streetgate.drivers.modbus;

import java.util.Arrays;

/** What a slave answers: register values, a write acknowledgement, or an exception code. */
public sealed interface ModbusResponse {
    int unit();

    int function();

    /** FC03/FC04: the registers read, in order. */
    record Registers(int unit, int function, int[] values) implements ModbusResponse {
        public Registers {
            values = values.clone();
        }

        @Override
        public int[] values() {
            return values.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Registers r && r.unit == unit && r.function == function && Arrays.equals(r.values, values);
        }

        @Override
        public int hashCode() {
            return (unit * 31 + function) * 31 + Arrays.hashCode(values);
        }

        @Override
        public String toString() {
            return "Registers[unit=" + unit + ", function=" + function + ", values=" + Arrays.toString(values) + "]";
        }
    }

    /** FC06 echoes address and value; FC16 echoes address and count in {@code value}. */
    record Written(int unit, int function, int address, int value) implements ModbusResponse {}

    /** The slave refused: {@code function} is the request's code (without the 0x80 bit). */
    record Exception(int unit, int function, int code) implements ModbusResponse {
        public String meaning() {
            return ModbusRtuCodec.exceptionName(code);
        }
    }
}
