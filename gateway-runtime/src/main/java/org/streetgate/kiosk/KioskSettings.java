package org.streetgate.kiosk;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.streetgate.drivers.config.ConfigReader;

/**
 * The profile's top-level {@code kiosk:} section (see docs/kiosk.md for every key). Secrets appear
 * only as {@link SecretHash}es: the profile holds PIN hashes, never PINs.
 *
 * @param bind              address of the screen's web server; 127.0.0.1 so only the kiosk's own browser reaches it
 * @param port              its port (0 picks a free one, for tests)
 * @param locker            device id of the {@code locker-board}
 * @param printer           device id of the {@code escpos-printer}, or null for a kiosk without one
 * @param scanner           device id of the {@code qr-scanner}, or null
 * @param doors             door numbers per size, in the order couriers see the sizes
 * @param codeLength        digits in the pickup codes the kiosk makes (6..8); codes from the platform may be 6..8
 * @param codeExpiry        how long a drop-off's pickup code stays valid
 * @param codeHashIterations PBKDF2 iterations for the hashes of codes the kiosk makes and for clear codes
 *                          from the platform; every stored code is checked at each attempt, so keep it modest
 * @param codeAttempts      wrong pickup codes (and scanned QRs) allowed before a cool-down
 * @param pinAttempts       wrong courier or technician PINs allowed before a cool-down
 * @param idleTimeout       the screen returns home after this long untouched; sessions end with it
 * @param languages         screen languages, the first being the default: {@code zh}, {@code en}
 * @param couriers          who may drop off, each with a PIN hash
 * @param technicianPin     the maintenance page's PIN hash, or null to have no maintenance page
 * @param printWait         how long a receipt waits for paper or a shut cover before the kiosk gives up
 * @param codeBudget        wrong pickup codes and QRs allowed in a long window (default 30 in 24 h) before code
 *                          entry is suspended until they age out or the platform sends {@code clear-lockout}
 * @param pinBudget         the same for courier PINs, and separately for the technician PIN
 * @param technicianPinDigits the technician PIN's length, declared beside its hash (which cannot show it): at
 *                          least 8, and a PIN of any other length is refused unchecked
 * @param retention         how long printed or expired print jobs and picked-up or cancelled parcels stay in
 *                          {@code kiosk.db} before they are deleted and their bytes overwritten (default 7 days)
 * @param allowNonLoopback  whether {@code bind} may be an address other than loopback (a screen on another
 *                          machine reaching the pickup API over the network); off unless the profile says so
 */
public record KioskSettings(String bind, int port, String locker, String printer, String scanner,
                            Map<String, List<Integer>> doors, int codeLength, Duration codeExpiry,
                            int codeHashIterations, AttemptLimiter.Settings codeAttempts,
                            AttemptLimiter.Settings pinAttempts, Duration idleTimeout, List<String> languages,
                            List<Courier> couriers, SecretHash technicianPin, Duration printWait,
                            GuessBudget.Settings codeBudget, GuessBudget.Settings pinBudget, int technicianPinDigits,
                            Duration retention, boolean allowNonLoopback) {
    /** A technician PIN opens every door: at least this many digits (see docs/security.md). */
    public static final int MIN_TECHNICIAN_PIN_DIGITS = 8;
    public static final List<String> KNOWN_LANGUAGES = List.of("zh", "en");

    /** A courier who may drop off parcels; {@code name} goes into {@code parcel.deposited}, the PIN never does. */
    public record Courier(String name, SecretHash pin) {}

    public KioskSettings {
        doors = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(doors));
        languages = List.copyOf(languages);
        couriers = List.copyOf(couriers);
        new DoorAllocator(doors); // refuses a door with two sizes
        if (codeLength < 6 || codeLength > 8) {
            throw new IllegalArgumentException("code-length must be 6..8, not " + codeLength);
        }
        if (languages.isEmpty()) {
            throw new IllegalArgumentException("at least one language");
        }
        if (technicianPin != null && technicianPinDigits < MIN_TECHNICIAN_PIN_DIGITS) {
            throw new IllegalArgumentException("technician-pin-digits must be at least " + MIN_TECHNICIAN_PIN_DIGITS);
        }
    }

    /**
     * Reads the {@code kiosk:} section, reporting problems through {@code section} (with file and line)
     * and returning usable defaults so the rest of the profile is still checked; calls
     * {@code section.finish()} itself.
     */
    public static KioskSettings read(ConfigReader section) {
        String bind = section.string("bind", "127.0.0.1");
        int port = section.integer("port", 8080, 0, 65535);
        boolean allowNonLoopback = section.bool("allow-non-loopback", false);
        try {
            if (!java.net.InetAddress.getByName(bind).isLoopbackAddress() && !allowNonLoopback) {
                section.error("bind", "'bind' " + bind + " is not a loopback address: other machines could reach the"
                        + " pickup API; set 'allow-non-loopback: true' if the screen really is elsewhere");
            }
        } catch (java.net.UnknownHostException e) {
            section.error("bind", "'bind' " + bind + " is not an address of this machine");
        }
        String locker = section.string("locker");
        String printer = section.string("printer", null);
        String scanner = section.string("scanner", null);

        Map<String, List<Integer>> doors = new LinkedHashMap<>();
        Map<String, String> rawDoors = section.stringMap("doors");
        List<Integer> seen = new ArrayList<>();
        for (var e : rawDoors.entrySet()) {
            List<Integer> list = DoorAllocator.parseRanges(e.getValue());
            if (!e.getKey().matches("[A-Za-z0-9_-]{1,16}")) {
                section.error("doors", "door size names must be 1-16 letters, digits, '-' or '_', not '" + e.getKey() + "'");
            } else if (list == null) {
                section.error("doors", "doors of size " + e.getKey() + " must be numbers and ranges like 1-8, 10, not '"
                        + e.getValue() + "'");
            } else {
                List<Integer> twice = list.stream().filter(seen::contains).toList();
                if (!twice.isEmpty()) {
                    section.error("doors", "door(s) " + twice + " listed under two sizes");
                } else {
                    seen.addAll(list);
                    doors.put(e.getKey(), list);
                }
            }
        }
        if (rawDoors.isEmpty() && !section.has("doors")) {
            section.error("doors", "missing required key 'doors' in kiosk (e.g. doors: {S: 1-8, M: 9-14, L: 15-16})");
        }

        int codeLength = section.integer("code-length", 6, 6, 8);
        Duration codeExpiry = section.duration("code-expiry", Duration.ofDays(3));
        int iterations = section.integer("code-hash-iterations", 1000, 1, 1_000_000);
        AttemptLimiter.Settings codeAttempts = attempts(section, "code-attempts");
        AttemptLimiter.Settings pinAttempts = attempts(section, "pin-attempts");
        GuessBudget.Settings codeBudget = budget(section, "code-budget");
        GuessBudget.Settings pinBudget = budget(section, "pin-budget");
        Duration idle = section.duration("idle-timeout", Duration.ofSeconds(60));
        if (idle.toSeconds() < 1) {
            section.error("idle-timeout", "'idle-timeout' must be at least 1s");
            idle = Duration.ofSeconds(60);
        }

        List<String> languages = new ArrayList<>();
        for (String l : section.has("languages") ? section.stringList("languages") : List.of("zh", "en")) {
            if (!KNOWN_LANGUAGES.contains(l)) {
                section.error("languages", "'languages' entries must be " + String.join(" or ", KNOWN_LANGUAGES)
                        + ", not '" + l + "'");
            } else if (!languages.contains(l)) {
                languages.add(l);
            }
        }
        if (languages.isEmpty()) {
            languages.addAll(KNOWN_LANGUAGES);
        }

        List<Courier> couriers = new ArrayList<>();
        for (ConfigReader c : section.mapList("couriers")) {
            String name = c.string("name", "[a-z0-9][a-z0-9._-]{0,63}", "a name of lowercase letters, digits, '.', '_' or '-'");
            SecretHash pin = hash(c, "pin-hash", true);
            c.finish();
            if (name != null && pin != null) {
                if (couriers.stream().anyMatch(k -> k.name().equals(name))) {
                    c.error("name", "courier '" + name + "' is listed twice");
                } else {
                    couriers.add(new Courier(name, pin));
                }
            }
        }
        SecretHash technician = hash(section, "technician-pin-hash", false);
        int technicianDigits = MIN_TECHNICIAN_PIN_DIGITS;
        if (section.has("technician-pin-hash") || section.has("technician-pin-digits")) {
            if (!section.has("technician-pin-digits")) {
                section.error("technician-pin-hash", "missing required key 'technician-pin-digits' beside"
                        + " 'technician-pin-hash': the PIN's length, at least " + MIN_TECHNICIAN_PIN_DIGITS
                        + " (the hash cannot show it)");
            } else {
                technicianDigits = section.integer("technician-pin-digits", MIN_TECHNICIAN_PIN_DIGITS,
                        MIN_TECHNICIAN_PIN_DIGITS, 16);
            }
        }
        Duration printWait = section.duration("print-wait", Duration.ofSeconds(10));
        Duration retention = section.duration("retention", Duration.ofDays(7));
        if (retention.toMinutes() < 1) {
            section.error("retention", "'retention' must be at least 1m");
            retention = Duration.ofDays(7);
        }
        section.finish();
        return new KioskSettings(bind, port, locker == null ? "" : locker, printer, scanner, doors, codeLength,
                codeExpiry, iterations, codeAttempts, pinAttempts, idle, languages, couriers, technician, printWait,
                codeBudget, pinBudget, technicianDigits, retention, allowNonLoopback);
    }

    private static AttemptLimiter.Settings attempts(ConfigReader section, String key) {
        var d = AttemptLimiter.Settings.defaults();
        var sub = section.map(key);
        if (sub.isEmpty()) {
            return d;
        }
        ConfigReader r = sub.get();
        int max = r.integer("max", d.max(), 1, 100);
        Duration window = r.duration("window", d.window());
        Duration coolDown = r.duration("cool-down", d.coolDown());
        Duration maxCoolDown = r.duration("max-cool-down", d.maxCoolDown());
        r.finish();
        if (window.isZero() || coolDown.isZero()) {
            r.error("window", "'window' and 'cool-down' must be longer than 0");
            return d;
        }
        if (maxCoolDown.compareTo(coolDown) < 0) {
            r.error("max-cool-down", "'max-cool-down' must be at least 'cool-down'");
            return d;
        }
        return new AttemptLimiter.Settings(max, window, coolDown, maxCoolDown);
    }

    private static GuessBudget.Settings budget(ConfigReader section, String key) {
        var d = GuessBudget.Settings.defaults();
        var sub = section.map(key);
        if (sub.isEmpty()) {
            return d;
        }
        ConfigReader r = sub.get();
        int max = r.integer("max", d.max(), 1, 10_000);
        Duration window = r.duration("window", d.window());
        r.finish();
        if (window.isZero() || window.isNegative()) {
            r.error("window", "'window' must be longer than 0");
            return d;
        }
        return new GuessBudget.Settings(max, window);
    }

    private static SecretHash hash(ConfigReader r, String key, boolean required) {
        String text = required ? r.string(key) : r.string(key, null);
        if (text == null) {
            return null;
        }
        try {
            return SecretHash.parse(text);
        } catch (IllegalArgumentException e) {
            // Never quote the value: someone may have put a PIN here instead of its hash.
            r.error(key, "'" + key + "' " + e.getMessage() + " (see docs/kiosk.md for how to make one)");
            return null;
        }
    }

    /**
     * What is wrong with the devices this section names, given the profile's devices (id to driver
     * name): for the profile loader, so a kiosk naming a missing device fails validation rather than
     * start-up. Empty when all is well.
     */
    public List<String> deviceProblems(Map<String, String> driverById) {
        List<String> out = new ArrayList<>();
        check(out, "locker", locker, "locker-board", driverById);
        check(out, "printer", printer, "escpos-printer", driverById);
        check(out, "scanner", scanner, "qr-scanner", driverById);
        return out;
    }

    private static void check(List<String> out, String key, String id, String driver, Map<String, String> driverById) {
        if (id == null || id.isEmpty()) {
            return;
        }
        String actual = driverById.get(id);
        if (actual == null) {
            out.add("kiosk." + key + ": no device '" + id + "' in devices");
        } else if (!actual.equals(driver)) {
            out.add("kiosk." + key + ": device '" + id + "' is a " + actual + ", not " + article(driver) + driver);
        }
    }

    private static String article(String word) {
        return "aeiou".indexOf(word.charAt(0)) >= 0 ? "an " : "a ";
    }

    public DoorAllocator allocator() {
        return new DoorAllocator(doors);
    }
}
