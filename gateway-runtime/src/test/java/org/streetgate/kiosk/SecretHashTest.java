package org.streetgate.kiosk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SecretHashTest {
    /**
     * Made with Python 3's hashlib, as docs/kiosk.md tells operators to:
     * hashlib.pbkdf2_hmac('sha256', b'246810', b'streetgate-salt!', 1000), base64-encoded.
     */
    static final String PYTHON_HASH_OF_246810 =
            "pbkdf2-sha256$1000$c3RyZWV0Z2F0ZS1zYWx0IQ==$naXinTKObZY1z/knE7+CNspoemaSAhXFDx2faTdjHkk=";

    @Test
    void a_hash_made_by_python_hashlib_matches_its_pin() {
        SecretHash h = SecretHash.parse(PYTHON_HASH_OF_246810);
        assertEquals(1000, h.iterations());
        assertTrue(h.matches("246810"));
        assertFalse(h.matches("246811"));
        assertFalse(h.matches(""));
    }

    @Test
    void hashes_round_trip_through_their_text_and_use_fresh_salt() {
        SecretHash a = SecretHash.of("482913", 500);
        SecretHash b = SecretHash.of("482913", 500);
        assertTrue(SecretHash.parse(a.text()).matches("482913"));
        assertFalse(a.text().equals(b.text()), "two hashes of one code differ by their salt");
        assertFalse(a.text().contains("482913"));
        assertEquals(a, SecretHash.parse(a.text()));
    }

    @Test
    void unpadded_base64_is_accepted() {
        String unpadded = PYTHON_HASH_OF_246810.replace("=", "");
        assertTrue(SecretHash.parse(unpadded).matches("246810"));
    }

    @Test
    void bad_hash_text_is_refused_without_quoting_it() {
        for (String bad : new String[] {"246810", "pbkdf2-sha256$x$c2FsdHNhbHQ=$aGFzaA==", "sha1$1$a$b",
                "pbkdf2-sha256$1000$c2FsdA==$" + "A".repeat(44), "pbkdf2-sha256$1000$!!!$!!!"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SecretHash.parse(bad));
            assertFalse(e.getMessage().contains("246810"), e.getMessage());
        }
    }
}
