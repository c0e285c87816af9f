package org.streetgate.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streetgate.runtime.Gateway;
import org.streetgate.testing.Mosquitto;
import org.streetgate.testing.Profiles;
import org.streetgate.testing.Subscriber;

/**
 * The attack of the security review, on the whole gateway against a real Mosquitto: an anonymous
 * client tries to open the demo kiosk's doors. With a platform key in the profile only a command
 * signed for this kiosk opens one, and only through the kiosk's audited open-door.
 */
class SignedActuationIT {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final TestKeys PLATFORM = TestKeys.fresh();

    @TempDir
    Path dir;

    @Test
    void only_a_signed_command_for_this_kiosk_opens_a_door() throws Exception {
        PLATFORM.writePublicPem(dir.resolve("platform.pub"));
        String demo = Files.readString(Path.of("../hardware-profiles/demo/kiosk-24h.yaml"));
        try (Mosquitto broker = Mosquitto.start(dir); Subscriber sub = new Subscriber(broker.uri(), "sg/v1/kiosk-demo/#")) {
            String yaml = demo.replace("url: embedded", "url: " + broker.uri() + "\n  reconnect-min: 100ms\n  reconnect-max: 500ms")
                    .replace("port: 8080", "port: 0")
                    .replace("sim-output: data/receipts", "sim-output: " + dir.resolve("receipts"))
                    .replace("\nstore:", "\nsecurity:\n  command-keys: [platform.pub]\nstore:");
            Gateway gateway = Gateway.start(Profiles.load(dir, "kiosk", yaml), dir.resolve("data"), false);
            try {
                sub.awaitBirth(WAIT);
                long expires = System.currentTimeMillis() + 120_000;

                // An anonymous subscriber's tries: unsigned, the raw locker action, another kiosk's command.
                pub(broker, "{\"id\":\"a1\",\"device\":\"kiosk\",\"action\":\"open-door\",\"args\":{\"door\":3}}");
                assertTrue(result(sub, "a1").path("error").asText().startsWith("signature required"));
                pub(broker, "{\"id\":\"a2\",\"device\":\"locker-1\",\"action\":\"open\",\"args\":{\"door\":3,\"reason\":\"x\"}}");
                assertTrue(result(sub, "a2").path("error").asText().startsWith("signature required"));
                pub(broker, PLATFORM.sign("{\"id\":\"a3\",\"gateway\":\"kiosk-demo\",\"device\":\"locker-1\",\"action\":\"open\","
                        + "\"args\":{\"door\":3},\"expires\":" + expires + "}"));
                JsonNode raw = result(sub, "a3");
                assertEquals("rejected", raw.path("status").asText());
                assertTrue(raw.path("error").asText().contains("belong to the kiosk"), raw.toString());
                pub(broker, PLATFORM.sign("{\"id\":\"a4\",\"gateway\":\"kiosk-0999\",\"device\":\"kiosk\",\"action\":\"open-door\","
                        + "\"args\":{\"door\":3},\"expires\":" + expires + "}"));
                assertTrue(result(sub, "a4").path("error").asText().startsWith("wrong gateway"));
                pub(broker, TestKeys.fresh().sign("{\"id\":\"a5\",\"gateway\":\"kiosk-demo\",\"device\":\"kiosk\",\"action\":\"open-door\","
                        + "\"args\":{\"door\":3},\"expires\":" + expires + "}"));
                assertTrue(result(sub, "a5").path("error").asText().startsWith("unknown key"));

                // The platform's own command, sent by a stock client.
                pub(broker, PLATFORM.sign("{\"id\":\"p1\",\"gateway\":\"kiosk-demo\",\"device\":\"kiosk\",\"action\":\"open-door\","
                        + "\"args\":{\"door\":3},\"expires\":" + expires + "}"));
                JsonNode ok = result(sub, "p1");
                assertEquals("ok", ok.path("status").asText(), ok.toString());
                List<JsonNode> opened = doorEvents(sub);
                assertEquals(1, opened.size(), "exactly one door opened: " + opened);
                assertEquals(3, opened.getFirst().path("data").path("door").asInt());
                assertEquals("remote-command", opened.getFirst().path("data").path("reason").asText(), opened.toString());
            } finally {
                gateway.close();
            }
        }
    }

    /** Publishes as an outsider would: with the stock mosquitto_pub and no credentials. */
    private static void pub(Mosquitto broker, String payload) throws Exception {
        Process p = new ProcessBuilder("mosquitto_pub", "-h", "127.0.0.1", "-p", Integer.toString(broker.port()), "-q", "1",
                "-t", "sg/v1/kiosk-demo/cmd", "-m", payload).redirectErrorStream(true).start();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    private final List<Subscriber.Received> seen = new ArrayList<>();

    private JsonNode result(Subscriber sub, String id) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            Subscriber.Received r = sub.poll(Duration.ofMillis(200));
            if (r == null) {
                continue;
            }
            seen.add(r);
            if (r.topic().endsWith("/cmd/result") && id.equals(r.json().path("id").asText())) {
                return r.json();
            }
        }
        throw new AssertionError("no result for " + id + "; seen: " + seen.stream().map(r -> r.topic() + " " + r.raw()).toList());
    }

    /**
     * Every door-opened event up to and including the one the platform's command caused. Events go
     * out in seq order, so a door opened by any earlier, refused command would come before it.
     */
    private List<JsonNode> doorEvents(Subscriber sub) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        int next = 0;
        List<JsonNode> out = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            for (; next < seen.size(); next++) {
                Subscriber.Received r = seen.get(next);
                if (!r.topic().endsWith("/events")) {
                    continue;
                }
                for (JsonNode rec : r.json().path("records")) {
                    if (rec.path("type").asText().equals("kiosk.door-opened")) {
                        out.add(rec);
                        if (rec.path("data").path("reason").asText().equals("remote-command")) {
                            return out;
                        }
                    }
                }
            }
            Subscriber.Received r = sub.poll(Duration.ofMillis(200));
            if (r != null) {
                seen.add(r);
            }
        }
        throw new AssertionError("no door opened by the platform's command: " + out);
    }
}
