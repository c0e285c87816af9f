package org.streetgate.drivers.bme280;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.streetgate.drivers.testing.Configs.map;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.streetgate.drivers.spi.DeviceStatus;
import org.streetgate.drivers.spi.Driver;
import org.streetgate.drivers.spi.Message;
import org.streetgate.drivers.testing.Await;
import org.streetgate.drivers.testing.CollectingSink;
import org.streetgate.drivers.testing.Configs;
import org.streetgate.drivers.testing.Contexts;
import org.streetgate.drivers.transport.Hardware;
import org.streetgate.drivers.transport.I2cBus;
import org.streetgate.drivers.transport.I2cException;
import org.streetgate.drivers.transport.SimulatedI2cBus;

/** The driver against the register-level simulator on a simulated I2C bus. */
class Bme280DriverTest {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private final Hardware hw = new Hardware();
    private final CollectingSink sink = new CollectingSink();
    private final SimulatedI2cBus bus = (SimulatedI2cBus) hw.i2c(1, true);

    @AfterEach
    void close() {
        hw.close();
    }

    private Bme280Simulator chip(Bme280Simulator.Environment env) {
        return bus.attach(0x76, Bme280Simulator.class, () -> new Bme280Simulator(env));
    }

    private Driver driver(Object... extra) {
        Configs c = new Configs();
        Object[] keys = new Object[extra.length + 2];
        keys[0] = "i2c";
        keys[1] = map("bus", 1, "address", "0x76");
        System.arraycopy(extra, 0, keys, 2, extra.length);
        Bme280Config cfg = new Bme280Factory().parseConfig(c.reader(map(keys)));
        assertEquals(List.of(), c.messages());
        return new Bme280Factory().create(Contexts.bus("env-1", "bme280", Duration.ofMillis(50), true, cfg, sink, hw));
    }

    @Test
    void reads_the_simulated_true_environment_through_the_register_file() throws Exception {
        Bme280Simulator sim = chip(new Bme280Simulator.Environment(23.4, 1008.7, 61.5));
        Driver d = driver();
        d.start();
        try {
            var r = sink.next(Message.Reading.class, WAIT);
            assertEquals(23.4, r.metrics().get("temperature_c"), 0.011);
            assertEquals(1008.7, r.metrics().get("pressure_hpa"), 0.021);
            assertEquals(61.5, r.metrics().get("humidity_pct"), 0.05);
            sim.environment(new Bme280Simulator.Environment(-5.25, 990.0, 95.0));
            Await.until(WAIT, () -> {
                try {
                    return sink.next(Message.Reading.class, WAIT).metrics().get("temperature_c") < -5;
                } catch (InterruptedException e) {
                    throw new RuntimeException(e);
                }
            }, () -> "temperature follows the environment");
            var cold = sink.next(Message.Reading.class, WAIT);
            assertEquals(-5.25, cold.metrics().get("temperature_c"), 0.011);
            assertEquals(95.0, cold.metrics().get("humidity_pct"), 0.05);
            assertEquals(DeviceStatus.State.OK, d.status().state());
        } finally {
            d.stop();
        }
    }

    @Test
    void ctrl_hum_takes_effect_only_when_ctrl_meas_is_written_after_it() throws Exception {
        chip(new Bme280Simulator.Environment(20, 1000, 50));
        byte[] data = new byte[8];
        // Wrong order: ctrl_meas first, ctrl_hum after: humidity is not measured.
        bus.exchange(0x76, WAIT, dev -> {
            dev.write(Bme280Codec.REG_CTRL_MEAS, Bme280Codec.ctrlMeas(1, 1, Bme280Codec.MODE_FORCED));
            dev.write(Bme280Codec.REG_CTRL_HUM, 1);
            assertEquals(1, dev.read(Bme280Codec.REG_CTRL_HUM), "ctrl_hum reads back what was written");
            return null;
        });
        awaitIdle();
        bus.exchange(0x76, WAIT, dev -> {
            dev.read(Bme280Codec.REG_DATA, data);
            return null;
        });
        assertEquals(Bme280Codec.SKIPPED_16BIT, Bme280Codec.parseData(data).humidity());
        assertTrue(Bme280Codec.parseData(data).temperature() != Bme280Codec.SKIPPED_20BIT);
        // Right order: now the latched ctrl_hum applies.
        bus.exchange(0x76, WAIT, dev -> {
            dev.write(Bme280Codec.REG_CTRL_MEAS, Bme280Codec.ctrlMeas(1, 1, Bme280Codec.MODE_FORCED));
            return null;
        });
        awaitIdle();
        bus.exchange(0x76, WAIT, dev -> {
            dev.read(Bme280Codec.REG_DATA, data);
            return null;
        });
        assertTrue(Bme280Codec.parseData(data).humidity() != Bme280Codec.SKIPPED_16BIT);
    }

    private void awaitIdle() throws InterruptedException {
        Await.until(WAIT, () -> {
            try {
                return bus.exchange(0x76, WAIT, dev -> dev.read(Bme280Codec.REG_STATUS) & Bme280Codec.STATUS_MEASURING) == 0;
            } catch (InterruptedException e) {
                throw new RuntimeException(e);
            }
        }, () -> "measurement done");
    }

    @Test
    void a_burst_read_matches_register_by_register_reads_and_forced_mode_returns_to_sleep() throws Exception {
        chip(new Bme280Simulator.Environment(20, 1000, 50));
        bus.exchange(0x76, WAIT, dev -> {
            dev.write(Bme280Codec.REG_CTRL_HUM, 1);
            dev.write(Bme280Codec.REG_CTRL_MEAS, Bme280Codec.ctrlMeas(1, 1, Bme280Codec.MODE_FORCED));
            assertTrue((dev.read(Bme280Codec.REG_STATUS) & Bme280Codec.STATUS_MEASURING) != 0, "measuring at once");
            return null;
        });
        awaitIdle();
        bus.exchange(0x76, WAIT, dev -> {
            byte[] burst = new byte[Bme280Calibration.BLOCK1_LENGTH];
            dev.read(Bme280Calibration.BLOCK1, burst);
            for (int i = 0; i < burst.length; i++) {
                assertEquals(burst[i] & 0xFF, dev.read(Bme280Calibration.BLOCK1 + i));
            }
            assertEquals(0, dev.read(Bme280Codec.REG_CTRL_MEAS) & 0x03, "back in sleep mode");
            return null;
        });
    }

    @Test
    void a_bmp280_is_refused_with_a_clear_error() throws Exception {
        chip(new Bme280Simulator.Environment(20, 1000, 50)).chipId(0x58);
        Driver d = driver();
        d.start();
        try {
            Await.until(WAIT, () -> d.status().state() == DeviceStatus.State.OFFLINE, () -> "" + d.status().snapshot());
            String error = d.status().snapshot().lastError();
            assertTrue(error.startsWith("the chip at 0x76 on I2C bus 1 is a BMP280 (chip id 0x58), not a BME280 (0x60)"),
                    error);
            assertFalse(error.contains("null"));
        } finally {
            d.stop();
        }
    }

    @Test
    void an_unknown_chip_id_is_named() throws Exception {
        chip(new Bme280Simulator.Environment(20, 1000, 50)).chipId(0x42);
        Driver d = driver();
        d.start();
        try {
            Await.until(WAIT, () -> d.status().state() == DeviceStatus.State.OFFLINE, () -> "" + d.status().snapshot());
            assertTrue(d.status().snapshot().lastError().contains("has chip id 0x42, not a BME280"));
        } finally {
            d.stop();
        }
    }

    @Test
    void no_answer_shows_offline_then_the_driver_finds_the_chip_again() throws Exception {
        Bme280Simulator sim = chip(new Bme280Simulator.Environment(20, 1000, 50));
        sim.present(false);
        Driver d = driver();
        d.start();
        try {
            Await.until(WAIT, () -> d.status().state() == DeviceStatus.State.OFFLINE, () -> "" + d.status().snapshot());
            assertTrue(d.status().snapshot().lastError().startsWith("no answer from I2C address 0x76 on bus 1"),
                    d.status().snapshot().lastError());
            sim.present(true);
            sink.next(Message.Reading.class, WAIT);
            assertEquals(DeviceStatus.State.OK, d.status().state());
            // Pulled mid-run: offline again, and back once it answers.
            sim.present(false);
            Await.until(WAIT, () -> d.status().state() == DeviceStatus.State.OFFLINE, () -> "" + d.status().snapshot());
            sim.present(true);
            Await.until(WAIT, () -> d.status().state() == DeviceStatus.State.OK, () -> "" + d.status().snapshot());
            assertTrue(d.status().counter("reconnects") >= 2);
        } finally {
            d.stop();
        }
    }

    @Test
    void frozen_data_registers_are_reported_stuck() throws Exception {
        Bme280Simulator sim = bus.attach(0x76, Bme280Simulator.class, () -> new Bme280Simulator(
                new Bme280Simulator.Environment(20, 1000, 50), Bme280Simulator.DATASHEET_CALIBRATION, 7L));
        Driver d = driver("stuck-after", 3);
        d.start();
        try {
            for (int i = 0; i < 5; i++) {
                sink.next(Message.Reading.class, WAIT);
            }
            assertEquals(DeviceStatus.State.OK, d.status().state(), "noisy values are not stuck");
            sim.stuck(true);
            Await.until(WAIT, () -> d.status().state() == DeviceStatus.State.DEGRADED, () -> "" + d.status().snapshot());
            assertTrue(d.status().snapshot().lastError().contains("unchanged for 3 polls"));
            sim.stuck(false);
            Await.until(WAIT, () -> d.status().state() == DeviceStatus.State.OK, () -> "" + d.status().snapshot());
        } finally {
            d.stop();
        }
    }

    @Test
    void config_rejects_other_addresses_and_unknown_oversampling() {
        Configs c = new Configs();
        new Bme280Factory().parseConfig(c.reader(map("i2c", map("bus", 1, "address", "0x40"), "oversampling", "x3")));
        assertTrue(c.messages().stream().anyMatch(s -> s.contains("a BME280 answers at 0x76 or 0x77, not 0x40")), c.messages().toString());
        assertTrue(c.messages().stream().anyMatch(s -> s.contains("'oversampling' must be one of x1, x2, x4, x8, x16")),
                c.messages().toString());
    }

    @Test
    void an_empty_address_does_not_answer() {
        I2cException e = org.junit.jupiter.api.Assertions.assertThrows(I2cException.class,
                () -> bus.exchange(0x77, WAIT, (I2cBus.Exchange<Integer>) dev -> dev.read(0xD0)));
        assertTrue(e.getMessage().contains("try i2cdetect -y 1"), e.getMessage());
    }

    @Test
    void skipped_values_are_left_out_counted_and_a_measurement_with_none_is_degraded() throws Exception {
        Bme280Simulator sim = chip(new Bme280Simulator.Environment(21.0, 1001.0, 40.0));
        Driver d = driver();
        d.start();
        try {
            sink.next(Message.Reading.class, WAIT);
            sim.skip(false, false, true);
            // Two skipped polls: the first one's reading is surely published by the time the second counts.
            Await.until(WAIT, () -> d.status().counter(DeviceStatus.INVALID_VALUES) >= 2, () -> "" + d.status().snapshot());
            var noHumidity = lastReading();
            assertEquals(java.util.Set.of("temperature_c", "pressure_hpa"), noHumidity.metrics().keySet());
            assertEquals(DeviceStatus.State.OK, d.status().state());

            sim.skip(true, false, false);
            Await.until(WAIT, () -> d.status().state() == DeviceStatus.State.DEGRADED, () -> "" + d.status().snapshot());
            assertEquals("every value invalid: temperature_c (skipped: raw 0x80000), "
                    + "pressure_hpa (needs the skipped temperature), humidity_pct (needs the skipped temperature)",
                    d.status().snapshot().lastError());
            int readings = readingsSoFar();
            long invalid = d.status().counter(DeviceStatus.INVALID_VALUES);
            Await.until(WAIT, () -> d.status().counter(DeviceStatus.INVALID_VALUES) >= invalid + 6,
                    () -> "two more skipped measurements");
            assertEquals(readings, readingsSoFar(), "no reading without a value");

            sim.skip(false, false, false);
            Await.until(WAIT, () -> d.status().state() == DeviceStatus.State.OK, () -> "" + d.status().snapshot());
        } finally {
            d.stop();
        }
    }

    /** The newest reading the driver published. */
    private Message.Reading lastReading() {
        var all = sink.received();
        return (Message.Reading) all.get(all.size() - 1);
    }

    private int readingsSoFar() {
        return (int) sink.received().stream().filter(m -> m instanceof Message.Reading).count();
    }
}
