package org.streetgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The command line's contract (DESIGN §3.1): what it prints and its exit codes. */
class MainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int run(String... args) {
        return Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    @Test
    void validate_exits_0_for_good_profiles_and_names_each() {
        assertEquals(0, run("validate", "../hardware-profiles/demo/sensor-pole.yaml", "../hardware-profiles/kiosk-24h.yaml"));
        assertTrue(out().contains("../hardware-profiles/demo/sensor-pole.yaml: ok (pole-demo, "), out());
        assertTrue(out().contains("../hardware-profiles/kiosk-24h.yaml: ok ("), out());
    }

    @Test
    void validate_exits_1_with_file_and_line_for_each_problem() {
        String broken = "src/test/resources/profiles/broken/unknown-key.yaml";
        assertEquals(1, run("validate", "../hardware-profiles/demo/sensor-pole.yaml", broken));
        assertEquals(broken + ":7: unknown key 'pol' in devices[0]\n", err());
    }

    @Test
    void a_missing_profile_file_is_bad_input() {
        assertEquals(1, run("validate", "no-such-profile.yaml"));
        assertTrue(err().startsWith("no-such-profile.yaml:1: cannot read profile"), err());
    }

    @Test
    void bad_arguments_exit_1_with_a_reason() {
        assertEquals(1, run());
        assertTrue(err().contains("usage: streetgate"));
        err.reset();
        assertEquals(1, run("fly"));
        assertTrue(err().startsWith("streetgate: unknown command 'fly'"), err());
        err.reset();
        assertEquals(1, run("run"));
        assertTrue(err().startsWith("streetgate run: --profile FILE is required"), err());
        err.reset();
        assertEquals(1, run("run", "--profile", "x.yaml", "--fast"));
        assertTrue(err().startsWith("streetgate run: unknown option '--fast'"), err());
        err.reset();
        assertEquals(1, run("validate"));
    }

    @Test
    void run_refuses_a_password_file_others_can_read_with_file_line_and_the_fix(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws java.io.IOException {
        java.nio.file.Path data = java.nio.file.Files.createDirectories(dir.resolve("data"));
        java.nio.file.Path secret = java.nio.file.Files.writeString(data.resolve("mqtt.secret"), "s3cret\n");
        java.nio.file.Files.setPosixFilePermissions(secret, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        java.nio.file.Path profile = java.nio.file.Files.writeString(dir.resolve("pole.yaml"), """
                gateway: {id: pole-7}
                platform:
                  url: tcp://127.0.0.1:1
                  password-file: mqtt.secret
                devices: []
                """);
        assertEquals(1, run("run", "--profile", profile.toString(), "--data-dir", data.toString()));
        assertEquals(profile + ":4: platform.password-file mqtt.secret is readable by group/others (mode 0644): run chmod 600 "
                + secret + "\n", err());
        assertTrue(!java.nio.file.Files.exists(data.resolve("logs")), "refused before logging or anything else started");
    }

    @Test
    void version_and_help() {
        assertEquals(0, run("version"));
        assertTrue(out().startsWith("streetgate "), out());
        out.reset();
        assertEquals(0, run("--help"));
        assertTrue(out().contains("run --profile FILE"));
    }

    @Test
    void ota_tools_are_reached_through_the_same_command() {
        // The reason must come from the OTA tools themselves, not from Main's unknown-command branch.
        assertEquals(1, run("ota", "verify"));
        assertTrue(err().startsWith("ota verify: "), err());
        assertEquals(1, err().lines().count(), "a one-line reason: " + err());
        assertEquals(0, run("ota", "help"));
        assertTrue(out().startsWith("usage: ota COMMAND"), out());
    }
}
