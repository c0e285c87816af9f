package org.streetgate.update;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streetgate.ota.BootCheck;
import org.streetgate.ota.OtaCli;
import org.streetgate.runtime.Gateway;
import org.streetgate.testing.Mosquitto;
import org.streetgate.testing.Profiles;
import org.streetgate.testing.Subscriber;

/**
 * An update end to end: the platform offers a signed bundle over {@code cmd}, the gateway downloads
 * and stages it and asks to restart; after the boot check the new release starts, proves itself
 * healthy, and commits, with progress reported as events.
 */
class UpdateOverMqttIT {
    @TempDir
    Path dir;

    private void cli(String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = OtaCli.run(args, new PrintStream(new ByteArrayOutputStream()), new PrintStream(err));
        assertEquals(0, rc, String.join(" ", args) + ": " + err);
    }

    private Path release(String version) throws Exception {
        Path payload = Files.createDirectories(dir.resolve("payload-" + version + "/bin"));
        Files.writeString(payload.resolve("streetgate"), "#!/bin/sh\necho " + version + "\n");
        return payload.getParent();
    }

    @Test
    void offered_bundle_is_downloaded_staged_and_committed_after_a_healthy_start() throws Exception {
        Path keyPrefix = dir.resolve("release");
        cli("keygen", "--out", keyPrefix.toString());
        Path pub = Path.of(keyPrefix + ".pub");
        Path root = dir.resolve("opt-streetgate");
        Path factory = dir.resolve("factory.sgb");
        cli("sign", release("1.0.0").toString(), "--key", keyPrefix + ".key", "--version", "1.0.0", "--counter", "1",
                "--model", "sensor-pole", "--out", factory.toString());
        cli("install", factory.toString(), "--factory", "--root", root.toString(), "--model", "sensor-pole",
                "--trust", pub.toString());
        Path update = dir.resolve("update.sgb");
        cli("sign", release("1.1.0").toString(), "--key", keyPrefix + ".key", "--version", "1.1.0", "--counter", "2",
                "--model", "sensor-pole", "--out", update.toString());
        byte[] bytes = Files.readAllBytes(update);
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));

        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        http.createContext("/update.sgb", ex -> {
            ex.sendResponseHeaders(200, bytes.length);
            ex.getResponseBody().write(bytes);
            ex.close();
        });
        http.start();
        String yaml = Profiles.gateway("%s", "{path: outbox.db, max-bytes: 16MiB, commit-window: 10ms}", "")
                + "ota: {root: " + root + ", trusted-keys: [" + pub + "], health-deadline: 1m, allowed-hosts: [127.0.0.1]}\n";
        try (Mosquitto broker = Mosquitto.start(dir);
             Subscriber sub = new Subscriber(broker.uri(), "sg/v1/pole-it/#")) {
            var profile = Profiles.load(dir, "pole", yaml.formatted(broker.uri()));
            Gateway first = Gateway.start(profile, dir.resolve("data"), false);
            try {
                sub.awaitBirth(Duration.ofSeconds(15));
                sub.publish("sg/v1/pole-it/cmd", """
                        {"id":"ota-1","device":"ota","action":"offer","args":{"url":"http://127.0.0.1:%d/update.sgb",
                         "sha256":"%s","size":%d,"version":"1.1.0"}}""".formatted(http.getAddress().getPort(), sha, bytes.length));
                JsonNode result = sub.next("/cmd/result", Duration.ofSeconds(20)).json();
                assertEquals("ok", result.get("status").asText(), result.toString());
                assertEquals("update staged", first.restartRequested().get(30, java.util.concurrent.TimeUnit.SECONDS));
                JsonNode staged = awaitEvent(sub, "ota.staged");
                assertEquals("1.1.0", staged.get("data").get("version").asText());
            } finally {
                first.close();
            }

            // systemd's ExecStartPre: the boot check starts the trial.
            BootCheck.run(root);
            Gateway second = Gateway.start(profile, dir.resolve("data"), false);
            try {
                JsonNode committed = awaitEvent(sub, "ota.committed");
                assertEquals("1.1.0", committed.get("data").get("version").asText());
                sub.publish("sg/v1/pole-it/cmd", "{\"id\":\"ota-2\",\"device\":\"ota\",\"action\":\"status\"}");
                JsonNode status = sub.next("/cmd/result", Duration.ofSeconds(20)).json();
                assertEquals("1.1.0", status.get("result").get("installed_version").asText(), status.toString());
                assertEquals(2, status.get("result").get("installed_counter").asInt());

                // A replay of the old offer is refused: the counter may not go back or repeat.
                sub.publish("sg/v1/pole-it/cmd", """
                        {"id":"ota-3","device":"ota","action":"offer","args":{"url":"http://127.0.0.1:%d/update.sgb",
                         "sha256":"%s","size":%d,"version":"1.1.0"}}""".formatted(http.getAddress().getPort(), sha, bytes.length));
                assertEquals("ok", sub.next("/cmd/result", Duration.ofSeconds(20)).json().get("status").asText());
                JsonNode failed = awaitEvent(sub, "ota.failed");
                assertTrue(failed.get("data").get("reason").asText().contains("counter"), failed.toString());
            } finally {
                second.close();
                http.stop(0);
            }
        }
    }

    private static JsonNode awaitEvent(Subscriber sub, String type) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            Subscriber.Received r = sub.poll(Duration.ofMillis(200));
            if (r != null && r.topic().endsWith("/events")) {
                for (JsonNode rec : r.json().get("records")) {
                    if (rec.get("type").asText().equals(type)) {
                        return rec;
                    }
                }
            }
        }
        throw new AssertionError("no " + type + " event");
    }
}
