package org.streetgate.kiosk;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which doors are free, by size. A door is free when no parcel waits in it, no operation is using
 * it, it is shut, and its infrared sensor does not see something inside (a parcel left from a
 * drop-off the kiosk never finished recording, or a forgotten item). Pure: the caller says what is
 * busy.
 *
 * @param sizes door numbers per size name, in the order the courier sees the sizes
 */
public record DoorAllocator(Map<String, List<Integer>> sizes) {
    public DoorAllocator {
        Map<String, List<Integer>> copy = new LinkedHashMap<>();
        Set<Integer> seen = new TreeSet<>();
        for (var e : sizes.entrySet()) {
            List<Integer> doors = List.copyOf(new TreeSet<>(e.getValue()));
            for (int d : doors) {
                if (!seen.add(d)) {
                    throw new IllegalArgumentException("door " + d + " has two sizes");
                }
            }
            copy.put(e.getKey(), doors);
        }
        sizes = java.util.Collections.unmodifiableMap(copy);
    }

    /** The lowest free door of {@code size}, so doors near the screen (low numbers) are used first. */
    public Optional<Integer> allocate(String size, Set<Integer> busy) {
        List<Integer> doors = sizes.get(size);
        if (doors == null) {
            return Optional.empty();
        }
        return doors.stream().filter(d -> !busy.contains(d)).findFirst();
    }

    /** Free doors per size, in size order. */
    public Map<String, Integer> free(Set<Integer> busy) {
        Map<String, Integer> out = new LinkedHashMap<>();
        sizes.forEach((size, doors) -> out.put(size, (int) doors.stream().filter(d -> !busy.contains(d)).count()));
        return out;
    }

    public Optional<String> sizeOf(int door) {
        return sizes.entrySet().stream().filter(e -> e.getValue().contains(door)).map(Map.Entry::getKey).findFirst();
    }

    public List<Integer> allDoors() {
        List<Integer> all = new ArrayList<>();
        sizes.values().forEach(all::addAll);
        return all;
    }

    /**
     * Parses {@code "1-8, 10, 12-13"} into door numbers; returns null when the text is not such a list.
     */
    public static List<Integer> parseRanges(String text) {
        List<Integer> out = new ArrayList<>();
        for (String part : text.split(",")) {
            String p = part.strip();
            if (p.isEmpty()) {
                return null;
            }
            try {
                int dash = p.indexOf('-');
                int from = Integer.parseInt(dash < 0 ? p : p.substring(0, dash).strip());
                int to = dash < 0 ? from : Integer.parseInt(p.substring(dash + 1).strip());
                if (from < 1 || to < from || to > 4096) {
                    return null;
                }
                for (int d = from; d <= to; d++) {
                    out.add(d);
                }
            } catch (NumberFormatException e) {
                return null;
            }
        }
        return out;
    }
}
