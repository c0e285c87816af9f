package org.streetgate.drivers.pms5003;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streetgate.drivers.spi.DeviceStatus;
import org.streetgate.drivers.spi.Message;
import org.streetgate.drivers.testing.Await;
import org.streetgate.drivers.testing.CollectingSink;
import org.streetgate.drivers.testing.Contexts;
import org.streetgate.drivers.testing.PtyDevice;
import org.streetgate.drivers.testing.SocatPty;
import org.streetgate.drivers.transport.Hardware;

/** Sleep/wake, warm-up, every simulated fault and a pulled cable, over a socat pty. */
class Pms5003RobustnessIT {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;

    private static Pms5003Driver driver(Path port, Pms5003Config cfg, Duration poll, CollectingSink sink) {
        return new Pms5003Driver(Contexts.serial("air-1", "pms5003", poll, port.toString(), 9600, false, cfg, sink,
                new Hardware()));
    }

    @Test
    void sleeps_between_polls_and_wakes_ahead_so_readings_are_past_warm_up() throws Exception {
        try (SocatPty pty = SocatPty.start(dir, "sleep")) {
            Pms5003Simulator sim = new Pms5003Simulator(1, Duration.ofSeconds(1), 0).warmupTime(Duration.ofMillis(150));
            try (PtyDevice device = PtyDevice.serve(sim, pty.deviceEnd(), 9600)) {
                CollectingSink sink = new CollectingSink();
                var cfg = new Pms5003Config(Pms5003Config.Mode.PASSIVE, Duration.ofSeconds(1), true,
                        Duration.ofMillis(400), 0);
                Pms5003Driver d = driver(pty.driverEnd(), cfg, Duration.ofMillis(1600), sink);
                d.start();
                try {
                    sink.next(Message.Reading.class, WAIT);
                    Await.until(WAIT, sim::asleep, () -> "the sensor sleeps between polls");
                    var second = sink.next(Message.Reading.class, WAIT);
                    assertTrue(second.metrics().get("pm2_5_ug_m3") > 0);
                    assertTrue(sim.wakes() >= 1 && sim.sleeps() >= 1, "slept " + sim.sleeps() + ", woke " + sim.wakes());
                    assertEquals(0, d.status().counter("warmup_frames"), "woken early enough");
                    assertEquals(DeviceStatus.State.OK, d.status().state());
                } finally {
                    d.stop();
                }
            }
        }
    }

    @Test
    void waking_too_late_reports_warming_up_and_never_zero_readings() throws Exception {
        try (SocatPty pty = SocatPty.start(dir, "warm")) {
            Pms5003Simulator sim = new Pms5003Simulator(2, Duration.ofSeconds(1), 0).warmupTime(Duration.ofMillis(900));
            try (PtyDevice device = PtyDevice.serve(sim, pty.deviceEnd(), 9600)) {
                CollectingSink sink = new CollectingSink();
                var cfg = new Pms5003Config(Pms5003Config.Mode.PASSIVE, Duration.ofSeconds(1), true,
                        Duration.ofMillis(100), 0);
                Pms5003Driver d = driver(pty.driverEnd(), cfg, Duration.ofMillis(1300), sink);
                d.start();
                try {
                    sink.next(Message.Reading.class, WAIT); // the first poll, before any sleep
                    Await.until(WAIT, () -> d.status().counter("warmup_frames") >= 1, () -> "" + d.status().snapshot());
                    assertEquals(DeviceStatus.State.DEGRADED, d.status().state());
                    assertEquals("warming up", d.status().snapshot().lastError());
                    assertThrows(() -> sink.next(Message.Reading.class, Duration.ofMillis(200)));
                } finally {
                    d.stop();
                }
            }
        }
    }

    private static void assertThrows(org.junit.jupiter.api.function.Executable e) {
        org.junit.jupiter.api.Assertions.assertThrows(AssertionError.class, e, "no zero reading published");
    }

    @Test
    void silence_corrupt_frames_garbage_and_a_stuck_sensor_are_each_reported() throws Exception {
        try (SocatPty pty = SocatPty.start(dir, "faults")) {
            Pms5003Simulator sim = new Pms5003Simulator(3, Duration.ofSeconds(1), 0);
            try (PtyDevice device = PtyDevice.serve(sim, pty.deviceEnd(), 9600)) {
                CollectingSink sink = new CollectingSink();
                var cfg = new Pms5003Config(Pms5003Config.Mode.PASSIVE, Duration.ofMillis(300), false,
                        Duration.ofSeconds(30), 4);
                Pms5003Driver d = driver(pty.driverEnd(), cfg, Duration.ofMillis(100), sink);
                d.start();
                try {
                    sink.next(Message.Reading.class, WAIT);

                    sim.silent(true);
                    Await.until(WAIT, () -> d.status().counter("timeouts") >= 1, () -> "" + d.status().snapshot());
                    assertEquals(DeviceStatus.State.DEGRADED, d.status().state());
                    assertEquals("no frame from sensor within 300 ms", d.status().snapshot().lastError());
                    sim.silent(false);
                    Await.until(WAIT, () -> d.status().state() == DeviceStatus.State.OK, () -> "" + d.status().snapshot());

                    sim.corruptNext(2);
                    Await.until(WAIT, () -> d.status().counter("bad_frames") >= 2, () -> "" + d.status().snapshot());
                    sim.garbageBeforeNext(9);
                    Await.until(WAIT, () -> d.status().counter("garbage_bytes") >= 5, () -> "" + d.status().snapshot());
                    sink.next(Message.Reading.class, WAIT);
                    Await.until(WAIT, () -> d.status().state() == DeviceStatus.State.OK, () -> "" + d.status().snapshot());

                    sim.stuck(true);
                    Await.until(WAIT, () -> d.status().state() == DeviceStatus.State.DEGRADED, () -> "" + d.status().snapshot());
                    assertEquals("the same frame for 4 polls (sensor stuck?)", d.status().snapshot().lastError());
                    sim.stuck(false);
                    Await.until(WAIT, () -> d.status().state() == DeviceStatus.State.OK, () -> "" + d.status().snapshot());
                } finally {
                    d.stop();
                }
            }
        }
    }

    @Test
    void pulled_cable_shows_offline_with_the_port_and_reading_resumes_after_replug() throws Exception {
        try (SocatPty pty = SocatPty.start(dir, "cable")) {
            Pms5003Simulator sim = new Pms5003Simulator(4, Duration.ofSeconds(1), 0);
            PtyDevice device = PtyDevice.serve(sim, pty.deviceEnd(), 9600);
            CollectingSink sink = new CollectingSink();
            var cfg = new Pms5003Config(Pms5003Config.Mode.PASSIVE, Duration.ofMillis(300));
            Pms5003Driver d = driver(pty.driverEnd(), cfg, Duration.ofMillis(100), sink);
            d.start();
            try {
                sink.next(Message.Reading.class, WAIT);
                pty.unplug();
                device.close();
                Await.until(WAIT, () -> d.status().state() == DeviceStatus.State.OFFLINE, () -> "" + d.status().snapshot());
                String error = d.status().snapshot().lastError();
                assertTrue(error.contains(pty.driverEnd().toString()), error);

                pty.replug();
                device = PtyDevice.serve(sim, pty.deviceEnd(), 9600);
                Await.until(Duration.ofSeconds(20), () -> d.status().state() == DeviceStatus.State.OK,
                        () -> "" + d.status().snapshot());
                sink.next(Message.Reading.class, WAIT);
                assertTrue(d.status().counter("reconnects") >= 1);
            } finally {
                d.stop();
                device.close();
            }
        }
    }
}
