package org.streetgate.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streetgate.drivers.config.ConfigException;
import org.streetgate.drivers.config.ConfigProblem;
import org.streetgate.runtime.Gateway;
import org.streetgate.testing.Profiles;

/** Secret files others could read are refused at start-up, with the profile's file:line and the chmod that fixes it. */
class SecretFilesTest {
    @TempDir
    Path dir;
    private Path data;
    private Path token;
    private Profile profile;

    @BeforeEach
    void profile() throws IOException {
        data = Files.createDirectories(dir.resolve("data"));
        Files.createDirectories(data.resolve("certs"));
        token = dir.resolve("technician-token");
        secret(data.resolve("mqtt.secret"), "rw-------");
        secret(data.resolve("certs/pole.key"), "rw-------");
        secret(token, "rw-------");
        Files.writeString(data.resolve("certs/ca.pem"), "public");
        Files.setPosixFilePermissions(data.resolve("certs/ca.pem"), PosixFilePermissions.fromString("rw-r--r--"));
        profile = Profiles.load(dir, "pole", """
                gateway: {id: pole-7}
                platform:
                  url: ssl://127.0.0.1:8883
                  username: pole-7
                  password-file: mqtt.secret
                  tls: {ca: certs/ca.pem, cert: certs/pole.pem,
                        key: certs/pole.key}
                ota:
                  trusted-keys: [AAAA]
                  push: {token-file: %s}
                devices: []
                """.formatted(token));
    }

    private static void secret(Path file, String mode) throws IOException {
        Files.writeString(file, "s3cret\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
    }

    private List<String> problems() {
        ConfigException e = assertThrows(ConfigException.class, () -> SecretFiles.check(profile, data));
        return e.problems().stream().map(ConfigProblem::toString).toList();
    }

    @Test
    void owner_only_secret_files_and_a_world_readable_ca_pass() {
        SecretFiles.check(profile, data);
    }

    @Test
    void a_key_readable_by_others_is_refused_with_the_line_naming_it_and_the_fix() throws IOException {
        Files.setPosixFilePermissions(data.resolve("certs/pole.key"), PosixFilePermissions.fromString("rw-r--r--"));
        assertEquals(List.of(dir.resolve("pole.yaml") + ":7: platform.tls.key certs/pole.key is readable by group/others"
                + " (mode 0644): run chmod 600 " + data.resolve("certs/pole.key")), problems());
    }

    @Test
    void every_readable_secret_is_reported_at_once_group_read_and_group_write_included() throws IOException {
        Files.setPosixFilePermissions(data.resolve("mqtt.secret"), PosixFilePermissions.fromString("rw-r-----"));
        Files.setPosixFilePermissions(token, PosixFilePermissions.fromString("rw--w----"));
        assertEquals(List.of(
                dir.resolve("pole.yaml") + ":5: platform.password-file mqtt.secret is readable by group/others (mode 0640):"
                        + " run chmod 600 " + data.resolve("mqtt.secret"),
                dir.resolve("pole.yaml") + ":10: ota.push.token-file " + token + " is accessible by group/others (mode 0620):"
                        + " run chmod 600 " + token), problems());
    }

    @Test
    void a_missing_secret_file_is_left_to_its_reader() throws IOException {
        Files.delete(data.resolve("mqtt.secret"));
        SecretFiles.check(profile, data);
    }

    @Test
    void the_gateway_refuses_to_start_before_it_opens_anything() throws IOException {
        Files.setPosixFilePermissions(data.resolve("mqtt.secret"), PosixFilePermissions.fromString("rw-rw-rw-"));
        ConfigException e = assertThrows(ConfigException.class, () -> Gateway.start(profile, data, false));
        assertEquals(1, e.problems().size());
        assertEquals(5, e.problems().getFirst().at().line());
        assertEquals(false, Files.exists(data.resolve("outbox.db")), "nothing was opened");
    }

    @Test
    void octal_matches_chmod() {
        assertEquals("0600", SecretFiles.octal(PosixFilePermissions.fromString("rw-------")));
        assertEquals("0755", SecretFiles.octal(PosixFilePermissions.fromString("rwxr-xr-x")));
        assertEquals("0004", SecretFiles.octal(PosixFilePermissions.fromString("------r--")));
    }
}
