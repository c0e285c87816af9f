package org.streetgate.kiosk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DoorAllocatorTest {
    private final DoorAllocator doors = new DoorAllocator(sizes());

    private static Map<String, List<Integer>> sizes() {
        Map<String, List<Integer>> m = new LinkedHashMap<>();
        m.put("S", List.of(3, 1, 2));
        m.put("M", List.of(4, 5));
        m.put("L", List.of(6));
        return m;
    }

    @Test
    void the_lowest_free_door_of_the_size_is_chosen() {
        assertEquals(Optional.of(1), doors.allocate("S", Set.of()));
        assertEquals(Optional.of(3), doors.allocate("S", Set.of(1, 2)));
        assertEquals(Optional.of(5), doors.allocate("M", Set.of(4, 1)));
    }

    @Test
    void a_full_size_or_an_unknown_size_gives_no_door() {
        assertEquals(Optional.empty(), doors.allocate("L", Set.of(6)));
        assertEquals(Optional.empty(), doors.allocate("XL", Set.of()));
    }

    @Test
    void free_doors_are_counted_per_size_in_size_order() {
        assertEquals(List.of("S", "M", "L"), List.copyOf(doors.free(Set.of()).keySet()));
        assertEquals(Map.of("S", 1, "M", 2, "L", 0), doors.free(Set.of(1, 2, 6)));
    }

    @Test
    void a_door_may_not_have_two_sizes() {
        assertThrows(IllegalArgumentException.class, () -> new DoorAllocator(Map.of("S", List.of(1), "M", List.of(1))));
    }

    @Test
    void ranges_parse_and_bad_ones_are_refused() {
        assertEquals(List.of(1, 2, 3, 7, 9, 10), DoorAllocator.parseRanges("1-3, 7, 9-10"));
        assertEquals(List.of(12), DoorAllocator.parseRanges("12"));
        assertNull(DoorAllocator.parseRanges("0-3"));
        assertNull(DoorAllocator.parseRanges("5-2"));
        assertNull(DoorAllocator.parseRanges("a-b"));
        assertNull(DoorAllocator.parseRanges("1,,2"));
    }
}
