package org.streetgate.drivers.pms5003;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fazecast.jSerialComm.SerialPort;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streetgate.drivers.spi.DeviceContext;
import org.streetgate.drivers.spi.DeviceStatus;
import org.streetgate.drivers.spi.Message;
import org.streetgate.drivers.testing.Await;
import org.streetgate.drivers.testing.CollectingSink;
import org.streetgate.drivers.testing.Contexts;
import org.streetgate.drivers.testing.PtyDevice;
import org.streetgate.drivers.testing.SocatPty;
import org.streetgate.drivers.transport.Hardware;

/** The driver against its simulator through a real socat pty pair and jSerialComm on both ends. */
class Pms5003DriverIT {
    @TempDir
    Path dir;

    private static DeviceContext<Pms5003Config> context(Path port, Pms5003Config.Mode mode, CollectingSink sink,
                                                        Duration poll) {
        return Contexts.serial("air-1", "pms5003", poll, port.toString(), 9600, false,
                new Pms5003Config(mode, Duration.ofSeconds(2)), sink, new Hardware());
    }

    @Test
    void passive_polling_reads_frames_from_the_simulator_over_a_pty() throws Exception {
        try (SocatPty pty = SocatPty.start(dir, "pms")) {
            Pms5003Simulator sim = new Pms5003Simulator(42, Duration.ofMillis(200), 2);
            PtyDevice device = PtyDevice.serve(sim, pty, 9600);
            CollectingSink sink = new CollectingSink();
            var ctx = context(pty.driverEnd(), Pms5003Config.Mode.PASSIVE, sink, Duration.ofMillis(100));
            Pms5003Driver driver = new Pms5003Driver(ctx);
            driver.start();
            try {
                List<Message> got = sink.take(3, Duration.ofSeconds(10));
                for (Message m : got) {
                    var r = (Message.Reading) m;
                    assertEquals("air-1", r.device());
                    double pm25 = r.metrics().get("pm2_5_ug_m3");
                    assertTrue(pm25 >= 1 && pm25 <= 300, "plausible PM2.5: " + pm25);
                    assertTrue(r.metrics().get("pm10_ug_m3") >= pm25, "PM10 includes PM2.5");
                }
                // The two all-zero warm-up frames were counted, not published as zero readings.
                assertEquals(2, driver.status().counter("warmup_frames"));
                assertEquals(DeviceStatus.State.OK, driver.status().state());
            } finally {
                driver.stop();
                device.close();
            }
        }
    }

    @Test
    void active_mode_keeps_one_reading_per_poll() throws Exception {
        try (SocatPty pty = SocatPty.start(dir, "pmsa")) {
            Pms5003Simulator sim = new Pms5003Simulator(7, Duration.ofMillis(50), 0);
            PtyDevice device = PtyDevice.serve(sim, pty, 9600);
            CollectingSink sink = new CollectingSink();
            Pms5003Driver driver = new Pms5003Driver(
                    context(pty.driverEnd(), Pms5003Config.Mode.ACTIVE, sink, Duration.ofMillis(500)));
            driver.start();
            try {
                long t0 = System.nanoTime();
                sink.take(3, Duration.ofSeconds(10));
                long elapsedMs = (System.nanoTime() - t0) / 1_000_000;
                // Frames stream every 50 ms, but readings come once per 500 ms poll.
                assertTrue(elapsedMs >= 900, "three readings took only " + elapsedMs + " ms");
                // Well over one frame per reading went by (about 20 at 50 ms; fewer on a loaded machine).
                assertTrue(sim.framesSent() > 6, "the simulator streamed " + sim.framesSent() + " frames");
            } finally {
                driver.stop();
                device.close();
            }
        }
    }

    @Test
    void garbage_on_the_line_is_counted_and_reading_resumes() throws Exception {
        try (SocatPty pty = SocatPty.start(dir, "pmsg")) {
            SerialPort raw = SerialPort.getCommPort(pty.deviceEnd().toString());
            assertTrue(raw.openPort());
            CollectingSink sink = new CollectingSink();
            Pms5003Driver driver = new Pms5003Driver(
                    context(pty.driverEnd(), Pms5003Config.Mode.ACTIVE, sink, Duration.ofMillis(100)));
            driver.start();
            try {
                byte[] frame = Pms5003Codec.encode(new Pms5003Frame(1, 2, 3, 4, 5, 6, 12, 11, 10, 9, 8, 7, 0x97, 0));
                byte[] bad = frame.clone();
                bad[31] ^= 0x55;
                byte[] noise = {0x13, 0x37, 0x42, 0x00};
                // Until the driver has the port open, what is written may be lost: keep writing until counted.
                Await.until("a bad frame counted", () -> {
                    raw.writeBytes(noise, noise.length);
                    raw.writeBytes(bad, bad.length);
                    return driver.status().counter("bad_frames") > 0;
                });
                Message.Reading r = null;
                for (int i = 0; i < 50 && r == null; i++) {
                    raw.writeBytes(frame, frame.length);
                    try {
                        r = sink.next(Message.Reading.class, Duration.ofMillis(200));
                    } catch (AssertionError notYet) {
                        // keep feeding good frames
                    }
                }
                assertEquals(5.0, r.metrics().get("pm2_5_ug_m3"));
                assertTrue(driver.status().counter("bad_frames") >= 1);
                assertTrue(driver.status().counter("garbage_bytes") >= 1);
            } finally {
                driver.stop();
                raw.closePort();
            }
        }
    }

    @Test
    void on_a_smoky_day_the_atmospheric_values_are_published_not_the_cf1_ones() throws Exception {
        try (SocatPty pty = SocatPty.start(dir, "pmss")) {
            Pms5003Simulator sim = new Pms5003Simulator(3, Duration.ofSeconds(5), 0);
            sim.pollution(120);
            CollectingSink sink = new CollectingSink();
            Pms5003Driver driver = new Pms5003Driver(
                    context(pty.driverEnd(), Pms5003Config.Mode.PASSIVE, sink, Duration.ofSeconds(2)));
            try (PtyDevice device = PtyDevice.serve(sim, pty, 9600)) {
                driver.start();
                try {
                    var r = sink.next(Message.Reading.class, Duration.ofSeconds(10));
                    Pms5003Frame sent = sim.lastFrame(); // the answer to this poll's read; the next is 2 s away
                    assertTrue(sent.pm25Cf1() > sent.pm25Atm(), "CF=1 reads higher in smoke: " + sent);
                    assertEquals(java.util.Map.of("pm1_0_ug_m3", (double) sent.pm1Atm(),
                            "pm2_5_ug_m3", (double) sent.pm25Atm(), "pm10_ug_m3", (double) sent.pm10Atm()), r.metrics());
                } finally {
                    driver.stop();
                }
            }
        }
    }

    @Test
    void values_out_of_range_are_left_out_and_a_frame_with_none_valid_is_degraded() throws Exception {
        try (SocatPty pty = SocatPty.start(dir, "pmsr")) {
            SerialPort raw = SerialPort.getCommPort(pty.deviceEnd().toString());
            assertTrue(raw.openPort());
            CollectingSink sink = new CollectingSink();
            Pms5003Driver driver = new Pms5003Driver(
                    context(pty.driverEnd(), Pms5003Config.Mode.ACTIVE, sink, Duration.ofMillis(100)));
            driver.start();
            try {
                // PM10 1500 µg/m³ is beyond the sensor's range; PM1.0 and PM2.5 are fine.
                byte[] pm10High = Pms5003Codec.encode(new Pms5003Frame(300, 900, 1500, 300, 900, 1500,
                        9000, 3000, 900, 100, 20, 5, 0x97, 0));
                Await.until("a reading without PM10", () -> {
                    raw.writeBytes(pm10High, pm10High.length);
                    return sink.received().stream().anyMatch(m -> m instanceof Message.Reading);
                });
                var r = (Message.Reading) sink.received().get(0);
                assertEquals(java.util.Map.of("pm1_0_ug_m3", 300.0, "pm2_5_ug_m3", 900.0), r.metrics());
                assertTrue(driver.status().counter(DeviceStatus.INVALID_VALUES) >= 1);

                // PM1.0 > PM10: the frame contradicts itself; nothing of it is published.
                byte[] inverted = Pms5003Codec.encode(new Pms5003Frame(22, 13, 5, 22, 13, 5,
                        765, 252, 29, 15, 6, 6, 0x97, 0));
                Await.until("degraded by an inverted frame", () -> {
                    raw.writeBytes(inverted, inverted.length);
                    return driver.status().state() == DeviceStatus.State.DEGRADED;
                });
                assertTrue(driver.status().snapshot().lastError().startsWith("every value invalid: pm1_0_ug_m3 (PM1.0"),
                        driver.status().snapshot().lastError());
                assertTrue(sink.received().stream().noneMatch(m -> m instanceof Message.Reading rd
                        && rd.metrics().get("pm1_0_ug_m3") == 22.0), "the inverted frame was never published");
            } finally {
                driver.stop();
                raw.closePort();
            }
        }
    }
}
