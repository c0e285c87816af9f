package org.streetgate.kiosk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.streetgate.drivers.testing.Configs;

class KioskSettingsTest {
    @Test
    void a_full_section_reads_into_settings() {
        Configs configs = new Configs();
        KioskSettings s = KioskSettings.read(configs.reader(Configs.map(
                "bind", "127.0.0.1",
                "port", "8088",
                "locker", "locker-1",
                "printer", "printer-1",
                "scanner", "scanner-1",
                "doors", Configs.map("S", "1-8", "M", "9-14", "L", "15, 16"),
                "code-length", "8",
                "code-expiry", "2d",
                "code-attempts", Configs.map("max", "5", "window", "1m", "cool-down", "30s", "max-cool-down", "10m"),
                "idle-timeout", "45s",
                "languages", List.of("en", "zh"),
                "couriers", List.of(Configs.map("name", "courier-a", "pin-hash", SecretHashTest.PYTHON_HASH_OF_246810)),
                "technician-pin-hash", SecretHashTest.PYTHON_HASH_OF_246810,
                "technician-pin-digits", "10",
                "code-budget", Configs.map("max", "20", "window", "12h"),
                "pin-budget", Configs.map("max", "10"),
                "retention", "3d",
                "print-wait", "5s")));
        assertEquals(List.of(), configs.messages());
        assertEquals(8088, s.port());
        assertEquals(List.of("S", "M", "L"), List.copyOf(s.doors().keySet()));
        assertEquals(List.of(15, 16), s.doors().get("L"));
        assertEquals(8, s.codeLength());
        assertEquals(Duration.ofDays(2), s.codeExpiry());
        assertEquals(Duration.ofSeconds(30), s.codeAttempts().coolDown());
        assertEquals(5, s.pinAttempts().max());
        assertEquals(List.of("en", "zh"), s.languages());
        assertTrue(s.couriers().get(0).pin().matches("246810"));
        assertTrue(s.technicianPin().matches("246810"));
        assertEquals(10, s.technicianPinDigits());
        assertEquals(Duration.ofDays(3), s.retention());
        assertEquals(new GuessBudget.Settings(20, Duration.ofHours(12)), s.codeBudget());
        assertEquals(new GuessBudget.Settings(10, Duration.ofHours(24)), s.pinBudget());
    }

    @Test
    void defaults_need_only_the_locker_and_its_doors() {
        Configs configs = new Configs();
        KioskSettings s = KioskSettings.read(configs.reader(Configs.map(
                "locker", "locker-1", "doors", Configs.map("S", "1-4"))));
        assertEquals(List.of(), configs.messages());
        assertEquals("127.0.0.1", s.bind());
        assertEquals(6, s.codeLength());
        assertNull(s.printer());
        assertNull(s.technicianPin());
        assertEquals(List.of("zh", "en"), s.languages());
        assertEquals(5, s.codeAttempts().max());
        assertEquals(GuessBudget.Settings.defaults(), s.codeBudget());
        assertEquals(new GuessBudget.Settings(30, Duration.ofHours(24)), s.pinBudget());
        assertEquals(Duration.ofDays(7), s.retention());
    }

    @Test
    void problems_are_reported_with_their_line_and_never_quote_a_pin() {
        Configs configs = new Configs();
        KioskSettings.read(configs.reader(Configs.map(
                "locker", "locker-1",
                "doors", Configs.map("S", "1-8", "M", "8-9"),
                "code-length", "5",
                "languages", List.of("fr"),
                "technician-pin-hash", "135790",
                "colour", "red")));
        List<String> m = configs.messages();
        assertTrue(m.stream().anyMatch(x -> x.contains("[8] listed under two sizes")), m.toString());
        assertTrue(m.stream().anyMatch(x -> x.contains("'code-length' must be a whole number from 6 to 8")), m.toString());
        assertTrue(m.stream().anyMatch(x -> x.contains("'languages' entries must be zh or en")), m.toString());
        assertTrue(m.stream().anyMatch(x -> x.contains("technician-pin-hash")), m.toString());
        assertTrue(m.stream().anyMatch(x -> x.contains("unknown key 'colour'")), m.toString());
        assertTrue(m.stream().allMatch(x -> x.startsWith("test.yaml:")), m.toString());
        assertFalse(m.stream().anyMatch(x -> x.contains("135790")), "a PIN put where its hash belongs is not echoed");
    }

    @Test
    void devices_named_in_the_section_must_exist_with_the_right_driver() {
        Configs configs = new Configs();
        KioskSettings s = KioskSettings.read(configs.reader(Configs.map(
                "locker", "locker-1", "printer", "printer-1", "scanner", "scanner-9", "doors", Configs.map("S", "1-4"))));
        assertEquals(List.of("kiosk.printer: device 'printer-1' is a pms5003, not an escpos-printer",
                        "kiosk.scanner: no device 'scanner-9' in devices"),
                s.deviceProblems(Map.of("locker-1", "locker-board", "printer-1", "pms5003")));
        assertEquals(List.of(), s.deviceProblems(Map.of("locker-1", "locker-board", "printer-1", "escpos-printer",
                "scanner-9", "qr-scanner")));
    }

    @Test
    void a_courier_without_a_pin_hash_is_an_error() {
        Configs configs = new Configs();
        KioskSettings s = KioskSettings.read(configs.reader(Configs.map(
                "locker", "locker-1", "doors", Configs.map("S", "1-4"),
                "couriers", List.of(Configs.map("name", "courier-a", "pin", "1234")))));
        List<String> m = configs.messages();
        assertTrue(m.stream().anyMatch(x -> x.contains("missing required key 'pin-hash'")), m.toString());
        assertTrue(m.stream().anyMatch(x -> x.contains("unknown key 'pin'")), m.toString());
        assertEquals(List.of(), s.couriers());
        assertEquals(Map.of("S", List.of(1, 2, 3, 4)), s.doors());
    }

    @Test
    void a_bind_beyond_loopback_needs_allow_non_loopback() {
        Configs configs = new Configs();
        KioskSettings.read(configs.reader(Configs.map("bind", "0.0.0.0", "locker", "locker-1", "doors", Configs.map("S", "1-4"))));
        List<String> m = configs.messages();
        assertEquals(1, m.size(), m.toString());
        assertTrue(m.get(0).startsWith("test.yaml:") && m.get(0).contains("'bind' 0.0.0.0 is not a loopback address")
                && m.get(0).contains("allow-non-loopback: true"), m.toString());

        Configs allowed = new Configs();
        KioskSettings s = KioskSettings.read(allowed.reader(Configs.map("bind", "0.0.0.0", "allow-non-loopback", "true",
                "locker", "locker-1", "doors", Configs.map("S", "1-4"))));
        assertEquals(List.of(), allowed.messages());
        assertTrue(s.allowNonLoopback());
        assertFalse(KioskSettings.read(new Configs().reader(Configs.map("locker", "locker-1", "doors",
                Configs.map("S", "1-4")))).allowNonLoopback(), "off by default");
    }

    @Test
    void a_technician_pin_needs_its_length_of_at_least_8_digits_declared() {
        Configs shortPin = new Configs();
        KioskSettings.read(shortPin.reader(Configs.map("locker", "locker-1", "doors", Configs.map("S", "1-4"),
                "technician-pin-hash", SecretHashTest.PYTHON_HASH_OF_246810, "technician-pin-digits", "5")));
        assertEquals(1, shortPin.messages().size(), shortPin.messages().toString());
        String m = shortPin.messages().get(0);
        assertTrue(m.matches("test\\.yaml:\\d+: .*'technician-pin-digits' must be a whole number from 8 to 16.*"), m);

        Configs undeclared = new Configs();
        KioskSettings.read(undeclared.reader(Configs.map("locker", "locker-1", "doors", Configs.map("S", "1-4"),
                "technician-pin-hash", SecretHashTest.PYTHON_HASH_OF_246810)));
        assertEquals(1, undeclared.messages().size(), undeclared.messages().toString());
        assertTrue(undeclared.messages().get(0).matches("test\\.yaml:\\d+: missing required key 'technician-pin-digits'"
                + " beside 'technician-pin-hash': the PIN's length, at least 8 \\(the hash cannot show it\\)"),
                undeclared.messages().toString());
    }

    @Test
    void a_budget_with_a_zero_window_is_an_error() {
        Configs configs = new Configs();
        KioskSettings s = KioskSettings.read(configs.reader(Configs.map("locker", "locker-1", "doors", Configs.map("S", "1-4"),
                "code-budget", Configs.map("max", "0", "window", "0s"))));
        List<String> m = configs.messages();
        assertTrue(m.stream().anyMatch(x -> x.contains("'max' must be a whole number from 1 to 10000")), m.toString());
        assertTrue(m.stream().anyMatch(x -> x.contains("'window' must be longer than 0")), m.toString());
        assertEquals(GuessBudget.Settings.defaults(), s.codeBudget());
    }
}
