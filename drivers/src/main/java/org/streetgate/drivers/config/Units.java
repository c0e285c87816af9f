package org.streetgate.drivers.config;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the profile's sizes ({@code 256MiB}) and durations ({@code 500ms}, {@code 10s}). */
public final class Units {
    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KiB|MiB|GiB)?");

    private Units() {}

    /** Returns null when the text is not a duration. */
    public static Duration parseDuration(String text) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            return null;
        }
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            return null;
        }
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            case "d" -> Duration.ofDays(n);
            default -> throw new IllegalStateException(m.group(2));
        };
    }

    /** Returns -1 when the text is not a size. A bare number is bytes. */
    public static long parseSize(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            return -1;
        }
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            return -1;
        }
        String unit = m.group(2) == null ? "B" : m.group(2);
        int shift = switch (unit) {
            case "B" -> 0;
            case "KiB" -> 10;
            case "MiB" -> 20;
            case "GiB" -> 30;
            default -> throw new IllegalStateException(unit);
        };
        if (n > (Long.MAX_VALUE >> shift)) {
            return -1;
        }
        return n << shift;
    }

    public static String formatSize(long bytes) {
        if (bytes >= (1L << 30) && bytes % (1L << 30) == 0) return (bytes >> 30) + "GiB";
        if (bytes >= (1L << 20) && bytes % (1L << 20) == 0) return (bytes >> 20) + "MiB";
        if (bytes >= (1L << 10) && bytes % (1L << 10) == 0) return (bytes >> 10) + "KiB";
        return bytes + "B";
    }
}
