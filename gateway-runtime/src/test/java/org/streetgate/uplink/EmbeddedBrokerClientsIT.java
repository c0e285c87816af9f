package org.streetgate.uplink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streetgate.drivers.spi.DriverRegistry;
import org.streetgate.profile.Profile;
import org.streetgate.profile.ProfileLoader;
import org.streetgate.runtime.Gateway;

/**
 * The demos' embedded broker with the stock Mosquitto clients (Debian {@code mosquitto-clients}):
 * the line the gateway prints to watch the stream, and every {@code mosquitto_pub} line of the
 * README and docs/, run exactly as written (only PORT replaced).
 */
class EmbeddedBrokerClientsIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern PUB_TOPIC = Pattern.compile("-t (\\S+)/([a-z0-9-]+)/cmd ");
    private static final Pattern PUB_ID = Pattern.compile("\"id\":\"([^\"]+)\"");

    @TempDir
    Path dir;

    @Test
    void the_printed_watch_line_and_a_ping_work_with_mosquitto_clients() throws Exception {
        Profile profile = demo("sensor-pole.yaml");
        try (Gateway g = Gateway.start(profile, dir.resolve("data"), false);
             Lines sub = Lines.of(g.embeddedBroker().orElseThrow().watchCommand("sg/v1"))) {
            assertTrue(sub.next("sg/v1/pole-demo/state ", Duration.ofSeconds(20)).contains("\"online\""),
                    "the retained birth reaches mosquitto_sub");
            String telemetry = sub.next("sg/v1/pole-demo/telemetry ", Duration.ofSeconds(20));
            assertTrue(telemetry.contains("\"records\""), telemetry);

            int port = g.embeddedBroker().orElseThrow().port();
            run("mosquitto_pub -h 127.0.0.1 -p " + port
                    + " -t sg/v1/pole-demo/cmd -m '{\"id\":\"ping-1\",\"device\":\"gateway\",\"action\":\"ping\"}'");
            JsonNode result = resultFor(sub, "sg/v1/pole-demo", "ping-1");
            assertEquals("ok", result.get("status").asText(), result.toString());
        }
    }

    @Test
    void every_mosquitto_pub_line_in_the_docs_is_heard_by_its_demo() throws Exception {
        List<String> lines = docCommands();
        assertFalse(lines.isEmpty(), "the docs show how to send a command");
        for (String line : lines) {
            Matcher t = PUB_TOPIC.matcher(line);
            assertTrue(t.find(), "a cmd topic in: " + line);
            String prefix = t.group(1);
            String gatewayId = t.group(2);
            Matcher id = PUB_ID.matcher(line);
            assertTrue(id.find(), "a command id in: " + line);
            Profile profile = demoFor(gatewayId);
            Path data = dir.resolve("data-" + gatewayId + "-" + id.group(1));
            try (Gateway g = Gateway.start(profile, data, false);
                 Lines sub = Lines.of(g.embeddedBroker().orElseThrow().watchCommand(prefix))) {
                sub.next(prefix + "/" + gatewayId + "/state ", Duration.ofSeconds(20));
                run(line.replace("PORT", Integer.toString(g.embeddedBroker().orElseThrow().port())));
                JsonNode result = resultFor(sub, prefix + "/" + gatewayId, id.group(1));
                String status = result.get("status").asText();
                // A doc line may show a refusal on purpose (the dock's interlocks); a schema or
                // routing mistake in the docs would come back as "rejected" with one of these.
                String error = result.path("error").asText();
                assertFalse(error.contains("unknown") || error.contains("must be"), line + " -> " + result);
                assertTrue(Stream.of("ok", "rejected").anyMatch(status::equals), line + " -> " + result);
            }
        }
    }

    /** Lines of README.md and docs/*.md that run {@code mosquitto_pub}, as a reader would copy them. */
    private static List<String> docCommands() throws IOException {
        List<Path> files = new ArrayList<>();
        files.add(REPO.resolve("README.md"));
        try (Stream<Path> docs = Files.list(REPO.resolve("docs"))) {
            docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
        }
        List<String> out = new ArrayList<>();
        for (Path f : files) {
            for (String l : Files.readAllLines(f)) {
                String s = l.strip();
                if (s.startsWith("mosquitto_pub ") && s.contains("/cmd ")) {
                    out.add(s);
                }
            }
        }
        return out;
    }

    private Profile demoFor(String gatewayId) throws IOException {
        try (Stream<Path> files = Files.list(REPO.resolve("hardware-profiles/demo"))) {
            for (Path f : files.sorted().toList()) {
                if (Files.readString(f).contains("id: " + gatewayId + "\n")) {
                    return demo(f.getFileName().toString());
                }
            }
        }
        throw new AssertionError("no demo profile has gateway id " + gatewayId);
    }

    /** A shipped demo profile; the kiosk screen moves to a free port so tests do not collide. */
    private Profile demo(String name) throws IOException {
        String yaml = Files.readString(REPO.resolve("hardware-profiles/demo").resolve(name));
        Path copy = dir.resolve(name);
        Files.writeString(copy, yaml.replaceAll("(?m)^(  port: )8080$", "$10"));
        return new ProfileLoader(DriverRegistry.builtIn()).load(copy);
    }

    private static JsonNode resultFor(Lines sub, String base, String id) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (true) {
            String line = sub.next(base + "/cmd/result ", Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            JsonNode r = JSON.readTree(line.substring(line.indexOf(' ') + 1));
            if (id.equals(r.path("id").asText())) {
                return r;
            }
        }
    }

    private static void run(String shellLine) throws Exception {
        Process p = new ProcessBuilder("bash", "-c", shellLine).redirectErrorStream(true).start();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "still running: " + shellLine);
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), shellLine + " -> " + output);
    }

    /** A shell command's output lines, as they come. */
    private static final class Lines implements AutoCloseable {
        private final Process process;
        private final LinkedBlockingQueue<String> queue = new LinkedBlockingQueue<>();

        private Lines(Process process) {
            this.process = process;
            Thread.ofVirtual().start(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                    for (String l; (l = in.readLine()) != null; ) {
                        queue.add(l);
                    }
                } catch (IOException e) {
                    // the process was stopped
                }
            });
        }

        static Lines of(String shellLine) throws IOException {
            if (!onPath("mosquitto_sub") || !onPath("mosquitto_pub")) {
                throw new AssertionError("mosquitto_sub/mosquitto_pub not found: install the Debian package mosquitto-clients");
            }
            return new Lines(new ProcessBuilder("bash", "-c", "exec " + shellLine).redirectErrorStream(true).start());
        }

        String next(String prefix, Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (true) {
                String l = queue.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (l == null) {
                    throw new AssertionError("no line starting '" + prefix + "' within " + timeout
                            + (process.isAlive() ? "" : " (exited " + process.exitValue() + ")"));
                }
                if (l.startsWith(prefix)) {
                    return l;
                }
                if (l.contains("Connection Refused") || l.contains("Error")) {
                    throw new AssertionError("mosquitto client: " + l);
                }
            }
        }

        private static boolean onPath(String tool) {
            for (String d : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
                if (Files.isExecutable(Path.of(d, tool))) {
                    return true;
                }
            }
            return false;
        }

        @Override
        public void close() {
            process.destroy();
        }
    }
}
