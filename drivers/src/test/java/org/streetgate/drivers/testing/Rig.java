package org.streetgate.drivers.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * The hardware-in-loop rig a {@code hil} test runs against: a properties file named by the
 * environment variable {@code STREETGATE_RIG} (or the system property {@code streetgate.rig}),
 * e.g. {@code pms5003.port=/dev/ttyAMA0}. A test asks for the keys it needs; when the rig is not
 * configured, or lacks a key, the test is skipped with a message that says which key and how to
 * set it. See docs/drivers.md.
 */
public final class Rig {
    public static final String ENV = "STREETGATE_RIG";

    private static Properties loaded;
    private static String source;

    private Rig() {}

    private static synchronized Properties props() {
        if (loaded == null) {
            loaded = new Properties();
            String file = System.getenv(ENV);
            if (file == null || file.isBlank()) {
                file = System.getProperty("streetgate.rig");
            }
            if (file != null && !file.isBlank()) {
                source = file;
                try (Reader r = Files.newBufferedReader(Path.of(file))) {
                    loaded.load(r);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot read rig file " + file + " (from " + ENV + ")", e);
                }
            }
        }
        return loaded;
    }

    /** The value of {@code key}, or skips the calling test saying what is missing. */
    public static String require(String key) {
        String v = props().getProperty(key);
        if (v == null || v.isBlank()) {
            String why = source == null
                    ? "skipped: no hardware-in-loop rig configured (set " + ENV + " to a rig file with " + key + "=...)"
                    : "skipped: rig file " + source + " has no " + key;
            System.err.println("[hil] " + why);
            assumeTrue(false, why);
        }
        return v.trim();
    }

    public static String get(String key, String fallback) {
        String v = props().getProperty(key);
        return v == null || v.isBlank() ? fallback : v.trim();
    }

    public static int integer(String key) {
        String v = require(key);
        return v.startsWith("0x") ? Integer.parseInt(v.substring(2), 16) : Integer.parseInt(v);
    }
}
