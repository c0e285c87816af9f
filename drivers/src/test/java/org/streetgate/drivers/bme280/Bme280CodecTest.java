package org.streetgate.drivers.bme280;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.streetgate.drivers.testing.Vectors;

class Bme280CodecTest {
    /** The name=value pairs of test resource vectors/bmp280-datasheet.txt (Bosch BMP280 datasheet, section 8.2). */
    private static Map<String, Long> datasheet() throws Exception {
        String text = Vectors.text("bmp280-datasheet.txt");
        Map<String, Long> v = new HashMap<>();
        Matcher m = Pattern.compile("([A-Za-z_]+[0-9]?)\\s*=\\s*(-?\\d+)").matcher(text);
        while (m.find()) {
            v.putIfAbsent(m.group(1), Long.parseLong(m.group(2)));
        }
        return v;
    }

    private static Bme280Calibration datasheetCalibration(Map<String, Long> v) {
        return new Bme280Calibration(
                v.get("T1").intValue(), v.get("T2").intValue(), v.get("T3").intValue(),
                v.get("P1").intValue(), v.get("P2").intValue(), v.get("P3").intValue(), v.get("P4").intValue(),
                v.get("P5").intValue(), v.get("P6").intValue(), v.get("P7").intValue(), v.get("P8").intValue(),
                v.get("P9").intValue(), 0, 0, 0, 0, 0, 0);
    }

    @Test
    void datasheet_example_compensates_to_the_published_temperature_and_pressure() throws Exception {
        Map<String, Long> v = datasheet();
        Bme280Calibration cal = datasheetCalibration(v);
        int tFine = Bme280Codec.tFine(v.get("adc_T").intValue(), cal);
        assertEquals(v.get("t_fine").intValue(), tFine);                 // 128422
        assertEquals(v.get("T").intValue(), Bme280Codec.temperature(tFine)); // 2508 = 25.08 degC
        assertEquals(25767233L, Bme280Codec.pressure(v.get("adc_P").intValue(), tFine, cal)); // 100653.254 Pa
        var c = Bme280Codec.compensate(new Bme280Codec.Raw(415148, 519888, 0x8000), cal);
        assertEquals(25.08, c.temperatureC());
        assertEquals(1006.53, c.pressureHpa());
    }

    @Test
    void calibration_blocks_parse_little_endian_with_shared_nibbles() {
        byte[] b1 = {
                0x70, 0x6B,                 // T1 = 0x6B70 = 27504
                0x43, 0x67,                 // T2 = 26435
                0x18, (byte) 0xFC,          // T3 = -1000
                0x7D, (byte) 0x8E,          // P1 = 36477 (unsigned)
                0x43, (byte) 0xD6,          // P2 = -10685
                (byte) 0xD0, 0x0B,          // P3 = 3024
                0x27, 0x0B,                 // P4 = 2855
                (byte) 0x8C, 0x00,          // P5 = 140
                (byte) 0xF9, (byte) 0xFF,   // P6 = -7
                (byte) 0x8C, 0x3C,          // P7 = 15500
                (byte) 0xF8, (byte) 0xC6,   // P8 = -14600
                0x70, 0x17,                 // P9 = 6000
                0x00,                       // 0xA0 unused
                0x4B,                       // H1 = 75
        };
        byte[] b2 = {
                0x6A, 0x01,                 // H2 = 362
                0x00,                       // H3 = 0
                (byte) 0xEC,                // E4: H4[11:4] = -20 (signed)
                0x3A,                       // E5: H5[3:0] = 3 | H4[3:0] = 0xA
                (byte) 0xFD,                // E6: H5[11:4] = -3 (signed)
                (byte) 0xE2,                // H6 = -30 (signed)
        };
        Bme280Calibration c = Bme280Calibration.parse(b1, b2);
        assertEquals(new Bme280Calibration(27504, 26435, -1000, 36477, -10685, 3024, 2855, 140, -7, 15500, -14600, 6000,
                75, 362, 0, -20 * 16 + 0xA, -3 * 16 + 3, -30), c);
        assertArrayEquals(b1, c.block1());
        assertArrayEquals(b2, c.block2());
    }

    @Test
    void data_burst_splits_into_20_and_16_bit_values() {
        byte[] burst = {
                0x65, 0x5A, (byte) 0xC0,    // press_msb, lsb, xlsb[7:4]: 0x655AC = 415148
                0x7E, (byte) 0xED, 0x00,    // temp_msb, lsb, xlsb[7:4]:  0x7EED0 = 519888
                0x6E, (byte) 0x8F,          // hum_msb, lsb: 0x6E8F = 28303
        };
        assertEquals(new Bme280Codec.Raw(415148, 519888, 28303), Bme280Codec.parseData(burst));
        assertArrayEquals(burst, Bme280Codec.encodeData(Bme280Codec.parseData(burst)));
    }

    @Test
    void integer_humidity_agrees_with_the_datasheets_floating_point_formula() {
        Bme280Calibration c = Bme280Simulator.DATASHEET_CALIBRATION;
        for (int adcT : new int[] {480000, 519888, 560000}) {
            int tFine = Bme280Codec.tFine(adcT, c);
            for (int adcH = 20000; adcH <= 40000; adcH += 2500) {
                double exact = floatHumidity(adcH, tFine, c);
                double integer = Bme280Codec.humidity(adcH, tFine, c) / 1024.0;
                assertEquals(exact, integer, 0.02, "adc_H " + adcH + " t_fine " + tFine);
            }
        }
    }

    /** Datasheet section 8.1, double precision. */
    private static double floatHumidity(int adcH, int tFine, Bme280Calibration c) {
        double h = tFine - 76800.0;
        h = (adcH - (c.h4() * 64.0 + c.h5() / 16384.0 * h))
                * (c.h2() / 65536.0 * (1.0 + c.h6() / 67108864.0 * h * (1.0 + c.h3() / 67108864.0 * h)));
        h = h * (1.0 - c.h1() * h / 524288.0);
        return Math.max(0, Math.min(100, h));
    }

    @Test
    void measurement_time_follows_the_datasheet() {
        assertEquals(9300, Bme280Codec.maxMeasureMicros(1, 1, 1));       // 1.25 + 2.3 + 2.875 + 2.875 ms
        assertEquals(2300 * 16 * 3 + 1250 + 575 * 2, Bme280Codec.maxMeasureMicros(5, 5, 5));
        assertEquals(0b001_001_01, Bme280Codec.ctrlMeas(1, 1, Bme280Codec.MODE_FORCED)); // osrs_t x1, osrs_p x1, forced
        assertTrue(Bme280Codec.maxMeasureMicros(1, 0, 0) < Bme280Codec.maxMeasureMicros(1, 1, 0));
    }

    @Test
    void skipped_readings_are_left_out_with_the_reason_not_compensated_into_numbers() throws Exception {
        Map<String, Long> v = datasheet();
        Bme280Calibration cal = datasheetCalibration(v);
        int adcT = v.get("adc_T").intValue();
        int adcP = v.get("adc_P").intValue();

        var all = Bme280Codec.measure(new Bme280Codec.Raw(adcP, adcT, 0x8000), cal);
        assertEquals(Map.of("temperature_c", 25.08, "pressure_hpa", 1006.53), all.metrics());
        assertEquals(java.util.List.of("humidity_pct (skipped: raw 0x8000)"), all.invalid());

        var noPressure = Bme280Codec.measure(new Bme280Codec.Raw(0x80000, adcT, 0x8000), cal);
        assertEquals(Map.of("temperature_c", 25.08), noPressure.metrics());
        assertEquals(java.util.List.of("pressure_hpa (skipped: raw 0x80000)", "humidity_pct (skipped: raw 0x8000)"),
                noPressure.invalid());

        var nothing = Bme280Codec.measure(new Bme280Codec.Raw(adcP, 0x80000, 0x8000), cal);
        assertEquals(Map.of(), nothing.metrics(), "pressure and humidity need t_fine from the temperature");
        assertEquals(3, nothing.invalid().size());
        assertEquals("temperature_c (skipped: raw 0x80000)", nothing.invalid().get(0));
    }

    @Test
    void a_result_outside_the_sensors_operating_range_is_left_out() throws Exception {
        Map<String, Long> v = datasheet();
        Bme280Calibration cal = datasheetCalibration(v);
        // adc_T 0 compensates far below -40 degC; adc_P 0xFFFFF far below 300 hPa. Made from the
        // datasheet formulas, not a published vector.
        var cold = Bme280Codec.measure(new Bme280Codec.Raw(v.get("adc_P").intValue(), 0, 0x8000), cal);
        assertTrue(cold.invalid().get(0).startsWith("temperature_c ("), cold.invalid().toString());
        assertTrue(!cold.metrics().containsKey("temperature_c"));
        var thin = Bme280Codec.measure(new Bme280Codec.Raw(0xFFFFF, v.get("adc_T").intValue(), 0x8000), cal);
        assertTrue(thin.invalid().get(0).startsWith("pressure_hpa ("), thin.invalid().toString());
        assertEquals(Map.of("temperature_c", 25.08), thin.metrics());
    }
}
