package org.streetgate.ota.util;

import java.util.ArrayList;
import java.util.List;

/**
 * A dotted version such as {@code 1.4.2} or {@code 0.1.0-SNAPSHOT}, compared number by number; a
 * pre-release suffix sorts before the plain version. Only used for the minimum-agent gate: release
 * order is decided by the integer release counter, never by this.
 */
public record Version(List<Integer> numbers, String preRelease) implements Comparable<Version> {

    public Version {
        numbers = List.copyOf(numbers);
        if (numbers.isEmpty()) {
            throw new IllegalArgumentException("version needs at least one number");
        }
    }

    public static Version parse(String text) {
        if (text == null || !text.matches("[0-9]+(\\.[0-9]+)*(-[0-9A-Za-z.]+)?")) {
            throw new IllegalArgumentException("version must look like 1.2.3 or 1.2.3-rc1, got '" + text + "'");
        }
        int dash = text.indexOf('-');
        String core = dash < 0 ? text : text.substring(0, dash);
        List<Integer> numbers = new ArrayList<>();
        for (String part : core.split("\\.")) {
            numbers.add(Integer.parseInt(part));
        }
        return new Version(numbers, dash < 0 ? "" : text.substring(dash + 1));
    }

    @Override
    public int compareTo(Version o) {
        int n = Math.max(numbers.size(), o.numbers.size());
        for (int i = 0; i < n; i++) {
            int a = i < numbers.size() ? numbers.get(i) : 0;
            int b = i < o.numbers.size() ? o.numbers.get(i) : 0;
            if (a != b) {
                return Integer.compare(a, b);
            }
        }
        if (preRelease.isEmpty() || o.preRelease.isEmpty()) {
            return Boolean.compare(preRelease.isEmpty(), o.preRelease.isEmpty());
        }
        return preRelease.compareTo(o.preRelease);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < numbers.size(); i++) {
            sb.append(i == 0 ? "" : ".").append(numbers.get(i));
        }
        return preRelease.isEmpty() ? sb.toString() : sb + "-" + preRelease;
    }
}
