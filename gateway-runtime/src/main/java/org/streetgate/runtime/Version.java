package org.streetgate.runtime;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.Properties;

/** The running StreetGate version and when it was built, from properties the build writes. */
public final class Version {
    private static final Properties BUILD = load();

    private Version() {}

    private static Properties load() {
        Properties p = new Properties();
        try (InputStream in = Version.class.getResourceAsStream("/streetgate-build.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException ignored) {
            // fall back to the defaults below
        }
        return p;
    }

    public static String current() {
        String v = BUILD.getProperty("version", "dev");
        return v.startsWith("${") ? "dev" : v;
    }

    /** The earliest plausible wall-clock time: this build's own time. */
    public static long buildTimeMillis() {
        try {
            return Instant.parse(BUILD.getProperty("build.time", "")).toEpochMilli();
        } catch (RuntimeException e) {
            return Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();
        }
    }
}
