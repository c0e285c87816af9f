package org.streetgate.ota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.streetgate.ota.util.Version;

class VersionTest {
    @Test
    void versions_compare_number_by_number_not_as_text() {
        assertTrue(Version.parse("1.10.0").compareTo(Version.parse("1.9.3")) > 0);
        assertEquals(0, Version.parse("1.2").compareTo(Version.parse("1.2.0")));
    }

    @Test
    void pre_release_sorts_before_its_release() {
        assertTrue(Version.parse("0.1.0-SNAPSHOT").compareTo(Version.parse("0.1.0")) < 0);
        assertTrue(Version.parse("0.1.0-SNAPSHOT").compareTo(Version.parse("0.0.9")) > 0);
    }

    @Test
    void malformed_version_names_itself() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Version.parse("v1.2"));
        assertTrue(e.getMessage().contains("'v1.2'"), e.getMessage());
    }
}
