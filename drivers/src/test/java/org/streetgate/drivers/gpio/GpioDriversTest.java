package org.streetgate.drivers.gpio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.streetgate.drivers.testing.Configs.map;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.streetgate.drivers.spi.Command;
import org.streetgate.drivers.spi.CommandException;
import org.streetgate.drivers.spi.DeviceStatus;
import org.streetgate.drivers.spi.Driver;
import org.streetgate.drivers.spi.Message;
import org.streetgate.drivers.testing.Await;
import org.streetgate.drivers.testing.CollectingSink;
import org.streetgate.drivers.testing.Configs;
import org.streetgate.drivers.testing.Contexts;
import org.streetgate.drivers.transport.Gpio;
import org.streetgate.drivers.transport.Hardware;

/** gpio-input and gpio-output on Pi4J's mock provider, driven as the hardware would be. */
class GpioDriversTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private final Hardware hw = new Hardware();
    private final CollectingSink sink = new CollectingSink();

    @AfterEach
    void close() {
        hw.close();
    }

    private Driver input(Object... keys) {
        Configs c = new Configs();
        GpioInputConfig cfg = new GpioInputFactory().parseConfig(c.reader(map(keys)));
        assertEquals(List.of(), c.messages());
        return new GpioInputFactory().create(Contexts.bus("door", "gpio-input", null, true, cfg, sink, hw));
    }

    private GpioOutputDriver output(Object... keys) {
        Configs c = new Configs();
        GpioOutputConfig cfg = new GpioOutputFactory().parseConfig(c.reader(map(keys)));
        assertEquals(List.of(), c.messages());
        return (GpioOutputDriver) new GpioOutputFactory().create(
                Contexts.bus("light", "gpio-output", null, true, cfg, sink, hw));
    }

    @Test
    void door_switch_edges_become_the_configured_events() throws Exception {
        Driver door = input("gpio", map("pin", 17, "pull", "up", "debounce", "20ms"),
                "events", map("high", "door.opened", "low", "door.closed"), "severity", "warning");
        door.start();
        try {
            // Pull-up, switch open: the pin idles high, reported once as the initial state.
            Message.Event first = sink.next(Message.Event.class, WAIT);
            assertEquals("door.opened", first.type());
            assertEquals(Map.of("pin", 17, "level", "high", "initial", true), first.data());
            Gpio gpio = hw.gpio(true);
            gpio.simulateInput(17, false);
            Message.Event closed = sink.next(Message.Event.class, WAIT);
            assertEquals("door.closed", closed.type());
            assertEquals(Message.Severity.WARNING, closed.severity());
            assertEquals(Map.of("pin", 17, "level", "low"), closed.data());
            gpio.simulateInput(17, true);
            assertEquals("door.opened", sink.next(Message.Event.class, WAIT).type());
            assertEquals(DeviceStatus.State.OK, door.status().state());
        } finally {
            door.stop();
        }
    }

    @Test
    void bouncing_contact_raises_one_event() throws Exception {
        Driver door = input("gpio", map("pin", 5, "pull", "up", "debounce", "100ms"),
                "events", map("high", "door.opened", "low", "door.closed"));
        door.start();
        try {
            sink.next(Message.Event.class, WAIT); // initial
            Gpio gpio = hw.gpio(true);
            for (int i = 0; i < 6; i++) {
                gpio.simulateInput(5, i % 2 == 1); // low, high, low, high, low, high ... ends high
            }
            gpio.simulateInput(5, false);
            Message.Event e = sink.next(Message.Event.class, WAIT);
            assertEquals("door.closed", e.type());
            Await.until(WAIT, () -> door.status().counter("bounces") >= 6, () -> "" + door.status().snapshot());
            assertEquals(7, door.status().counter("edges"));
            assertThrows(AssertionError.class, () -> sink.next(Message.Event.class, Duration.ofMillis(300)),
                    "no second event from the bounce");
        } finally {
            door.stop();
        }
    }

    @Test
    void active_low_inverts_and_unnamed_levels_raise_nothing() throws Exception {
        // A tamper switch to ground: closed (pin low) means active; only activation is an event.
        Driver tamper = input("gpio", map("pin", 22, "pull", "up", "active-low", true, "debounce", "10ms"),
                "events", map("high", "cabinet.tampered"), "severity", "alarm");
        tamper.start();
        try {
            Await.until(WAIT, () -> tamper.status().state() == DeviceStatus.State.OK, () -> "started");
            Gpio gpio = hw.gpio(true);
            gpio.simulateInput(22, false);
            Message.Event e = sink.next(Message.Event.class, WAIT);
            assertEquals("cabinet.tampered", e.type());
            assertEquals(Message.Severity.ALARM, e.severity());
            assertEquals("high", e.data().get("level"));
            gpio.simulateInput(22, true);
            assertThrows(AssertionError.class, () -> sink.next(Message.Event.class, Duration.ofMillis(200)));
        } finally {
            tamper.stop();
        }
    }

    @Test
    void output_starts_safe_switches_pulses_and_ends_safe() throws Exception {
        GpioOutputDriver light = output("gpio", map("pin", 23), "events", map("on", "light.on", "off", "light.off"),
                "max-pulse", "2s");
        light.start();
        try {
            assertFalse(light.isOn());
            assertEquals(Map.of("state", "on"), light.execute(new Command("c1", "light", "on", null)));
            Message.Event on = sink.next(Message.Event.class, WAIT);
            assertEquals("light.on", on.type());
            assertEquals(Map.of("state", "off"), light.execute(new Command("c2", "light", "off", null)));
            assertEquals("light.off", sink.next(Message.Event.class, WAIT).type());

            long t0 = System.nanoTime();
            assertEquals(Map.of("state", "off"), light.execute(new Command("c3", "light", "pulse", Map.of("ms", 150))));
            assertTrue((System.nanoTime() - t0) / 1_000_000 >= 150, "the pulse lasted its time");
            assertEquals("light.on", sink.next(Message.Event.class, WAIT).type());
            assertEquals("light.off", sink.next(Message.Event.class, WAIT).type());

            CommandException tooLong = assertThrows(CommandException.class,
                    () -> light.execute(new Command("c4", "light", "pulse", Map.of("ms", 5000))));
            assertEquals(CommandException.Kind.BAD_ARGUMENT, tooLong.kind());
            assertEquals("pulse ms must be 1..2000, not 5000", tooLong.getMessage());
            assertEquals(CommandException.Kind.BAD_ARGUMENT, assertThrows(CommandException.class,
                    () -> light.execute(new Command("c5", "light", "pulse", Map.of()))).kind());
            assertEquals(CommandException.Kind.UNKNOWN_ACTION, assertThrows(CommandException.class,
                    () -> light.execute(new Command("c6", "light", "blink", Map.of()))).kind());

            light.execute(new Command("c7", "light", "on", null));
        } finally {
            light.stop();
        }
        assertFalse(light.isOn(), "shutdown leaves the load in its safe state");
    }

    @Test
    void active_low_relay_idles_with_the_pin_high() throws Exception {
        GpioOutputDriver relay = output("gpio", map("pin", 24, "active-low", true));
        relay.start();
        try {
            // Pi4J's mock records the electrical level: an active-low relay board is off when high.
            Gpio gpio = hw.gpio(true);
            assertTrue(gpio.level(24), "safe (off) is electrical high on an active-low board");
            relay.execute(new Command("c1", "relay", "on", null));
            assertFalse(gpio.level(24));
        } finally {
            relay.stop();
        }
    }

    @Test
    void one_pin_cannot_serve_two_devices() throws Exception {
        Driver a = input("gpio", map("pin", 6));
        a.start();
        try {
            Await.until(WAIT, () -> a.status().state() == DeviceStatus.State.OK, () -> "a started");
            GpioOutputDriver b = output("gpio", map("pin", 6));
            b.start();
            assertEquals(DeviceStatus.State.OFFLINE, b.status().state());
            assertEquals("GPIO 6 is already used as an input by another device", b.status().snapshot().lastError());
            assertEquals(CommandException.Kind.FAILED, assertThrows(CommandException.class,
                    () -> b.execute(new Command("c", "light", "on", null))).kind());
        } finally {
            a.stop();
        }
    }

    @Test
    void config_errors_name_the_key() {
        Configs c = new Configs();
        new GpioInputFactory().parseConfig(c.reader(map("gpio", map("pin", 99, "pull", "sideways", "speed", 1),
                "events", map("high", "Door Opened", "middle", "x"))));
        List<String> m = c.messages();
        assertTrue(m.stream().anyMatch(s -> s.contains("'pin' must be a whole number from 0 to 53")), m.toString());
        assertTrue(m.stream().anyMatch(s -> s.contains("'pull' must be one of up, down, none")), m.toString());
        assertTrue(m.stream().anyMatch(s -> s.contains("unknown key 'speed'")), m.toString());
        assertTrue(m.stream().anyMatch(s -> s.contains("events.high must be a dotted lower-case name")), m.toString());
        assertTrue(m.stream().anyMatch(s -> s.contains("events.middle: only 'high' and 'low' name events")), m.toString());

        Configs o = new Configs();
        new GpioOutputFactory().parseConfig(o.reader(map("gpio", map("pin", 4, "pull", "up"), "safe-state", "maybe")));
        assertTrue(o.messages().stream().anyMatch(s -> s.contains("unknown key 'pull'")), o.messages().toString());
        assertTrue(o.messages().stream().anyMatch(s -> s.contains("'safe-state' must be one of off, on")),
                o.messages().toString());

        Configs none = new Configs();
        new GpioInputFactory().parseConfig(none.reader(map("events", map("high", "a.b"))));
        assertTrue(none.messages().stream().anyMatch(s -> s.contains("missing required key 'gpio'")), none.messages().toString());
    }

    @Test
    void a_real_pin_on_a_machine_without_gpio_chips_is_offline_with_the_reason() throws Exception {
        java.io.File[] chips = new java.io.File("/dev").listFiles((d, n) -> n.startsWith("gpiochip"));
        org.junit.jupiter.api.Assumptions.assumeTrue(chips == null || chips.length == 0,
                "skipped: this machine has GPIO chips");
        Configs c = new Configs();
        GpioInputConfig cfg = new GpioInputFactory().parseConfig(c.reader(map("gpio", map("pin", 17))));
        Driver door = new GpioInputFactory().create(Contexts.bus("door", "gpio-input", null, false, cfg, sink, hw));
        door.start();
        try {
            Await.until(WAIT, () -> door.status().state() == DeviceStatus.State.OFFLINE, () -> "" + door.status().snapshot());
            String error = door.status().snapshot().lastError();
            assertTrue(error.startsWith("cannot claim GPIO 17 as an input through gpiod"), error);
            assertTrue(error.contains("no /dev/gpiochip* here"), error);
        } finally {
            door.stop();
        }
    }
}
