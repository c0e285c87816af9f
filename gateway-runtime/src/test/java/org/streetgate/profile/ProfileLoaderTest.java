package org.streetgate.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.streetgate.drivers.config.ConfigException;
import org.streetgate.drivers.config.ConfigProblem;
import org.streetgate.drivers.spi.DriverRegistry;

class ProfileLoaderTest {
    private static final Path BROKEN = Path.of("src/test/resources/profiles/broken");
    private final ProfileLoader loader = new ProfileLoader(DriverRegistry.builtIn());

    private List<String> problems(String name) {
        Path file = BROKEN.resolve(name);
        ConfigException e = assertThrows(ConfigException.class, () -> loader.load(file));
        return e.problems().stream().map(ConfigProblem::toString).toList();
    }

    private static String at(String name, int line, String message) {
        return BROKEN.resolve(name) + ":" + line + ": " + message;
    }

    /** Every profile shipped in hardware-profiles/ must load: they are the examples people copy. */
    @TestFactory
    Stream<DynamicTest> every_shipped_profile_is_valid() throws IOException {
        Path dir = Path.of("../hardware-profiles");
        List<Path> files;
        try (Stream<Path> walk = Files.walk(dir)) {
            files = walk.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertFalse(files.isEmpty(), "no profiles found under " + dir.toAbsolutePath());
        return files.stream().map(f -> DynamicTest.dynamicTest(f.toString(), () -> {
            Profile p = loader.load(f);
            assertFalse(p.devices().isEmpty(), f + " has no devices");
            if (f.toString().contains("/demo/")) {
                assertTrue(p.platform().embedded(), f + ": a demo profile runs on the embedded broker");
                p.devices().forEach(d -> assertTrue(d.spec().simulated(), f + ": demo device " + d.id() + " is simulated"));
            } else {
                assertTrue(p.security().enforced(), f + ": a real profile configures security.command-keys");
                assertTrue(p.security().unsigned().isEmpty(), f + ": a real profile relaxes no signature");
                assertEquals(List.of(), p.warnings(), f + ": a real profile validates without warnings");
            }
        }));
    }

    @Test
    void security_section_problems_are_reported_with_file_and_line() {
        List<String> got = problems("security.yaml");
        assertEquals(4, got.size(), got.toString());
        assertTrue(got.get(0).startsWith(at("security.yaml", 6, "cannot use command key keys/missing.pub: cannot read key file ")), got.get(0));
        assertEquals(List.of(
                at("security.yaml", 8, "'locker-1' must be device:action (either may be *)"),
                at("security.yaml", 9, "'command-horizon' must be between 1s and 1d"),
                at("security.yaml", 10, "'unsynced-grace' must be at most 60m")), got.subList(1, 4));
    }

    @Test
    void relaxing_a_signature_loads_with_a_warning() throws IOException {
        Path dir = Files.createTempDirectory("sg-security");
        Files.copy(Path.of("../hardware-profiles/keys/platform-command.pub"), dir.resolve("platform.pub"));
        Path file = dir.resolve("relaxed.yaml");
        Files.writeString(file, """
                gateway: {id: pole-1, model: sensor-pole}
                platform: {url: "tcp://127.0.0.1:1883"}
                security:
                  command-keys: [platform.pub]
                  unsigned-actions: ["street-light:on"]
                devices: []
                """);
        Profile p = loader.load(file);
        assertTrue(p.security().enforced());
        assertEquals(List.of(file + ":5: warning: security.unsigned-actions lets street-light:on run without a signature"),
                p.warnings());
        Files.writeString(file, """
                gateway: {id: pole-1, model: sensor-pole}
                platform: {url: "tcp://127.0.0.1:1883"}
                devices: []
                """);
        assertEquals(List.of(file + ":1: warning: no security.command-keys: any client that can publish to this"
                + " gateway's cmd topic can actuate its devices"), loader.load(file).warnings());
    }

    @Test
    void an_alias_bomb_a_recursive_alias_and_deep_nesting_fail_with_their_line() throws IOException {
        Path dir = Files.createTempDirectory("sg-yaml");
        StringBuilder bomb = new StringBuilder("gateway: {id: pole-1}\nplatform: {url: embedded}\na: &a [\"lol\",\"lol\",\"lol\",\"lol\"]\n");
        for (char c = 'b'; c <= 'k'; c++) {
            char prev = (char) (c - 1);
            bomb.append(c).append(": &").append(c).append(" [*").append(prev).append(",*").append(prev).append(",*")
                    .append(prev).append(",*").append(prev).append("]\n");
        }
        Path file = Files.writeString(dir.resolve("bomb.yaml"), bomb);
        assertTrue(Files.size(file) < 500, "a few hundred bytes");
        List<String> got = problemsOf(file);
        assertEquals(file + ":3: anchors and aliases (&a, *...) are not supported in profiles", got.getFirst());

        Path recursive = Files.writeString(dir.resolve("recursive.yaml"), "gateway: {id: pole-1}\nplatform: {url: embedded}\n"
                + "devices: &d\n  - *d\n");
        assertTrue(problemsOf(recursive).getFirst().startsWith(recursive + ":3: anchors and aliases (&d"), problemsOf(recursive).toString());

        Path deep = Files.writeString(dir.resolve("deep.yaml"), "gateway: {id: pole-1}\nplatform: {url: embedded}\nx: "
                + "[".repeat(5000) + "]".repeat(5000) + "\n");
        assertTrue(problemsOf(deep).stream().anyMatch(p -> p.startsWith(deep + ":3: ")), problemsOf(deep).toString());

        Path huge = dir.resolve("huge.yaml");
        Files.writeString(huge, "# " + "x".repeat(2 << 20) + "\n");
        assertEquals(List.of(huge + ":1: profile is larger than 1024 KiB"), problemsOf(huge));
    }

    private List<String> problemsOf(Path file) {
        ConfigException e = assertThrows(ConfigException.class, () -> loader.load(file));
        return e.problems().stream().map(ConfigProblem::toString).toList();
    }

    @Test
    void unknown_key_is_reported_on_its_line() {
        assertEquals(List.of(at("unknown-key.yaml", 7, "unknown key 'pol' in devices[0]")), problems("unknown-key.yaml"));
    }

    @Test
    void wrong_types_are_each_reported_with_what_was_written() {
        assertEquals(List.of(
                at("wrong-types.yaml", 2, "'id' must be a gateway id of 1-64 characters a-z, 0-9 and '-', not 'Pole_1'"),
                at("wrong-types.yaml", 4, "'url' must be tcp://host:port, ssl://host:port or embedded, not 'http://example:80'"),
                at("wrong-types.yaml", 6, "'max-bytes' must be a size like 512KiB, 256MiB or 2GiB, not 'lots'"),
                at("wrong-types.yaml", 7, "'commit-window' must be a duration like 500ms, 10s, 5m, 1h or 1d, not '100'"),
                at("wrong-types.yaml", 11, "'baud' must be a whole number from 50 to 4000000, not 'fast'"),
                at("wrong-types.yaml", 12, "'poll' must be a single value, not a list"),
                at("wrong-types.yaml", 13, "'sim' must be true or false, not 'yes'")),
                problems("wrong-types.yaml"));
    }

    @Test
    void missing_required_keys_are_reported() {
        assertEquals(List.of(
                at("missing-keys.yaml", 1, "missing required key 'platform' in the profile"),
                at("missing-keys.yaml", 2, "missing required key 'id' in gateway"),
                at("missing-keys.yaml", 4, "missing required key 'id' in devices[0]"),
                at("missing-keys.yaml", 4, "missing required key 'serial' in devices[0] (driver pms5003)"),
                at("missing-keys.yaml", 5, "missing required key 'driver' in devices[1]")),
                problems("missing-keys.yaml"));
    }

    @Test
    void duplicate_ids_unknown_drivers_and_shared_ports_are_reported() {
        assertEquals(List.of(
                at("duplicates.yaml", 7, "duplicate device id 'air-1' (first defined at line 4)"),
                at("duplicates.yaml", 11, "unknown driver 'pms7003' (known: " + String.join(", ", DriverRegistry.builtIn().names()) + ")"),
                at("duplicates.yaml", 15, "serial port /dev/ttyAMA0 is already used by device 'air-1' (line 4)"),
                at("duplicates.yaml", 16, "device id 'kiosk' is reserved for the gateway's own commands")),
                problems("duplicates.yaml"));
    }

    @Test
    void two_devices_on_one_gpio_pin_or_one_i2c_address_are_refused_naming_both_sim_or_not() {
        // Another address on the same bus, or the same address on another bus, is fine.
        assertEquals(List.of(
                at("shared-wiring.yaml", 13, "gpio pin 17 is already used by device 'door' (line 4)"),
                at("shared-wiring.yaml", 17, "gpio pin 27 is already used by device 'relay' (line 7)"),
                at("shared-wiring.yaml", 24, "i2c bus 1 address 0x76 is already used by device 'climate' (line 18)")),
                problems("shared-wiring.yaml"));
    }

    @Test
    void yaml_syntax_error_names_the_line() {
        List<String> p = problems("syntax.yaml");
        assertEquals(1, p.size());
        assertTrue(p.getFirst().startsWith(BROKEN.resolve("syntax.yaml") + ":"), p.getFirst());
        assertTrue(p.getFirst().contains("YAML syntax"), p.getFirst());
    }

    @Test
    void an_inline_password_is_refused_and_bad_backoff_bounds_are_reported() {
        assertEquals(List.of(
                at("secrets.yaml", 4, "put the password in a file and name it with 'password-file'; it must not be in the profile"),
                at("secrets.yaml", 6, "'reconnect-max' must not be shorter than 'reconnect-min'")),
                problems("secrets.yaml"));
    }

    @Test
    void defaults_fill_what_the_profile_leaves_out() throws IOException {
        Path file = Files.createTempFile("min", ".yaml");
        Files.writeString(file, """
                gateway: {id: pole-7}
                platform: {url: embedded}
                devices:
                  - {id: air-1, driver: pms5003, serial: {port: /dev/ttyAMA0}}
                """);
        Profile p = loader.load(file);
        assertEquals("sg/v1", p.platform().topicPrefix());
        assertEquals(256L << 20, p.store().maxBytes());
        assertEquals(Duration.ofMillis(100), p.store().commitWindow());
        assertEquals(Duration.ofSeconds(10), p.devices().getFirst().spec().poll());
        assertEquals(9600, p.devices().getFirst().spec().serial().orElseThrow().baud());
        assertFalse(p.devices().getFirst().spec().simulated());
        Files.delete(file);
    }

    @Test
    void the_protocol_defaults_to_3_1_1_and_the_mqtt_5_keys_are_checked() throws IOException {
        Path dir = Files.createTempDirectory("sg-mqtt");
        Path real = Files.writeString(dir.resolve("real.yaml"), "gateway: {id: pole-7}\nplatform: {url: \"tcp://10.0.0.5:1883\"}\n");
        Profile p = loader.load(real);
        assertEquals(Profile.Protocol.MQTT_3_1_1, p.platform().protocol(), "MQTT 5 is opt-in: see docs/mqtt.md");
        assertEquals(Duration.ofDays(1), p.platform().sessionExpiry());
        assertEquals(Duration.ofSeconds(30), p.platform().willDelay());
        assertEquals(256 * 1024, p.platform().maxInbound());
        assertEquals(Duration.ofSeconds(60), p.platform().ackTimeout());
        Path demo = Files.writeString(dir.resolve("demo.yaml"), "gateway: {id: pole-7}\nplatform: {url: embedded}\n");
        assertEquals(Profile.Protocol.MQTT_3_1_1, loader.load(demo).platform().protocol());
        Path bad = Files.writeString(dir.resolve("bad.yaml"), """
                gateway: {id: pole-7}
                platform:
                  url: embedded
                  protocol: "5"
                  batch-bytes: 300KiB
                  max-inbound: 8KiB
                  ack-timeout: 10ms
                  session-expiry: 0s
                """);
        assertEquals(List.of(
                bad + ":4: the embedded broker speaks MQTT 3.1.1 only: use protocol \"3.1.1\" or a real broker",
                bad + ":6: 'max-inbound' must be between 16KiB and 256MiB",
                bad + ":7: 'ack-timeout' must be at least 1s",
                bad + ":8: 'session-expiry' must be between 1s and 136y (commands queued while away are kept this long)"),
                problemsOf(bad));
        Path tight = Files.writeString(dir.resolve("tight.yaml"), "gateway: {id: pole-7}\nplatform:\n  url: \"tcp://h:1883\"\n"
                + "  protocol: \"5\"\n  batch-bytes: 300KiB\n");
        assertEquals(List.of(tight + ":5: 'batch-bytes' (307200) plus 8KiB must fit in 'max-inbound' (262144) on MQTT 5,"
                + " which bounds the packets sent as well as received"), problemsOf(tight));
        Path wrong = Files.writeString(dir.resolve("wrong.yaml"), "gateway: {id: pole-7}\nplatform: {url: \"tcp://h:1883\", protocol: 4}\n");
        assertEquals(List.of(wrong + ":2: 'protocol' must be one of 5, 3.1.1, not '4'"), problemsOf(wrong));
    }
}
