package org.streetgate.drivers.meter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Float32 registers that hold no measurement (IEEE 754 NaN and infinities, high word first). */
class MeterRegisterTest {
    private static final MeterRegister VOLTAGE = MeterRegister.eastron(0, "voltage_v");

    @Test
    void a_float_register_decodes_to_its_value() {
        // 43 66 80 00 = 230.5 (modbus-rtu.tsv, j2mod slave over a pty)
        assertEquals(new MeterRegister.Value(230.5), VOLTAGE.decode(new int[] {0x4366, 0x8000}, 0));
    }

    @Test
    void nan_and_infinities_are_invalid_values_not_numbers_or_exceptions() {
        assertEquals(new MeterRegister.Invalid("voltage_v", "NaN in register 0"),
                VOLTAGE.decode(new int[] {0x7FC0, 0x0000}, 0)); // quiet NaN
        assertEquals(new MeterRegister.Invalid("voltage_v", "NaN in register 0"),
                VOLTAGE.decode(new int[] {0xFFFF, 0xFFFF}, 0)); // all ones: also NaN
        assertEquals(new MeterRegister.Invalid("voltage_v", "+Infinity in register 0"),
                VOLTAGE.decode(new int[] {0x7F80, 0x0000}, 0));
        assertEquals(new MeterRegister.Invalid("voltage_v", "-Infinity in register 0"),
                VOLTAGE.decode(new int[] {0xFF80, 0x0000}, 0));
        var e = assertThrows(IllegalArgumentException.class, () -> VOLTAGE.value(new int[] {0x7FC0, 0}, 0));
        assertEquals("voltage_v: NaN in register 0", e.getMessage());
    }
}
