package org.streetgate.kiosk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streetgate.drivers.spi.Command;
import org.streetgate.drivers.spi.CommandException;

/**
 * Codes the platform sends: on a gateway with command keys only their hash may travel over cmd,
 * and a hash may not ask the kiosk for more work per guess than a bound.
 */
class PlatformCodesTest {
    @TempDir
    Path dir;

    private static Command addParcel(String id, int door, String key, String value) {
        return new Command(id, "kiosk", "add-parcel", Map.of("parcel", "p-" + id, "door", door, key, value));
    }

    @Test
    void a_clear_code_is_refused_where_commands_are_signed_and_its_hash_is_taken() throws Exception {
        try (KioskRig rig = new KioskRig(dir, KioskRig.defaults(), true)) {
            var e = assertThrows(CommandException.class, () -> rig.kiosk.execute(addParcel("c1", 5, "code", "48291377")));
            assertEquals(CommandException.Kind.BAD_ARGUMENT, e.kind());
            assertTrue(e.getMessage().startsWith("argument 'code' in clear is refused"), e.getMessage());
            assertFalse(e.getMessage().contains("48291377"), "the refusal never quotes the code");
            Map<String, Object> ok = rig.kiosk.execute(addParcel("c2", 5, "code_hash", SecretHash.of("48291377", 1000).toString()));
            assertEquals(5, ok.get("door"));
        }
    }

    @Test
    void a_hash_with_too_many_iterations_or_a_bad_shape_is_refused() throws Exception {
        try (KioskRig rig = new KioskRig(dir, KioskRig.defaults(), true)) {
            String heavy = SecretHash.of("48291377", KioskRuntime.MAX_PLATFORM_ITERATIONS + 1).toString();
            var e = assertThrows(CommandException.class, () -> rig.kiosk.execute(addParcel("h1", 6, "code_hash", heavy)));
            assertTrue(e.getMessage().contains("at most " + KioskRuntime.MAX_PLATFORM_ITERATIONS), e.getMessage());
            String shortSalt = SecretHash.PREFIX + "$1000$AAAA$" + java.util.Base64.getEncoder().encodeToString(new byte[32]);
            var s = assertThrows(CommandException.class, () -> rig.kiosk.execute(addParcel("h2", 6, "code_hash", shortSalt)));
            assertTrue(s.getMessage().startsWith("argument 'code_hash'") && s.getMessage().contains("salt"), s.getMessage());
        }
    }

    @Test
    void without_command_keys_a_clear_code_still_works() throws Exception {
        try (KioskRig rig = new KioskRig(dir)) {
            assertEquals(7, rig.kiosk.execute(addParcel("d1", 7, "code", "48291377")).get("door"));
        }
    }
}
