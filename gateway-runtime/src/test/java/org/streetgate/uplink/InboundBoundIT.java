package org.streetgate.uplink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.streetgate.runtime.Gateway;
import org.streetgate.testing.Mosquitto;
import org.streetgate.testing.Profiles;
import org.streetgate.testing.Subscriber;

/**
 * A 20 MB message on {@code cmd} (stock mosquitto_pub) must not wedge or crash the gateway. On
 * MQTT 5 the Maximum Packet Size in CONNECT ({@code max-inbound}, 256 KiB) makes the broker drop it
 * for this client, so the gateway never allocates it; 3.1.1 has no such bound: the gateway takes
 * it whole, and answers {@code rejected} (commands are limited to 64 KiB), never redelivered.
 */
class InboundBoundIT {
    private static final int BIG = 20_000_000;
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"5", "3.1.1"})
    void a_20_mb_command_does_not_stop_the_gateway_answering(String protocol) throws Exception {
        try (Mosquitto broker = Mosquitto.startLogged(dir);
             Subscriber state = new Subscriber(broker.uri(), "sg/v1/pole-it/state");
             Subscriber results = new Subscriber(broker.uri(), "sg/v1/pole-it/cmd/result")) {
            String yaml = Profiles.gateway(broker.uri(), "protocol: \"" + protocol + "\"", "{path: outbox.db, max-bytes: 16MiB}", "");
            Gateway gateway = Gateway.start(Profiles.load(dir, "pole", yaml), dir.resolve("data"), false);
            try {
                state.awaitBirth(Duration.ofSeconds(10));
                Path big = dir.resolve("big.json");
                String prefix = "{\"id\":\"big\",\"device\":\"gateway\",\"action\":\"ping\",\"args\":{\"pad\":\"";
                Files.writeString(big, prefix + "a".repeat(BIG - prefix.length() - 3) + "\"}}", StandardCharsets.US_ASCII);
                Process pub = new ProcessBuilder("mosquitto_pub", "-h", "127.0.0.1", "-p", String.valueOf(broker.port()),
                        "-q", "1", "-t", "sg/v1/pole-it/cmd", "-f", big.toString())
                        .redirectErrorStream(true).redirectOutput(dir.resolve("pub.log").toFile()).start();
                assertTrue(pub.waitFor(30, TimeUnit.SECONDS) && pub.exitValue() == 0, Files.readString(dir.resolve("pub.log")));
                results.publish("sg/v1/pole-it/cmd", "{\"id\":\"after-big\",\"device\":\"gateway\",\"action\":\"ping\"}");
                List<String> answers = new ArrayList<>();
                while (answers.stream().noneMatch(a -> a.startsWith("after-big "))) {
                    var r = results.next("/cmd/result", Duration.ofSeconds(30)).json();
                    answers.add(r.path("id").asText() + " " + r.path("status").asText() + " " + r.path("error").asText());
                }
                assertEquals("after-big ok", answers.getLast().strip(), "the next ping is answered");
                UplinkStats u = gateway.uplink().stats();
                assertTrue(u.connected(), "still connected");
                assertEquals(1, u.connects(), "never reconnected");
                if (protocol.equals("5")) {
                    assertEquals(List.of("after-big ok"), answers.stream().map(String::strip).toList());
                    assertEquals(1, u.received(), "only the ping arrived");
                    assertTrue(u.receivedLargestBytes() < 256 * 1024, "largest " + u.receivedLargestBytes());
                    assertTrue(broker.log().contains("Dropping too large outgoing PUBLISH for streetgate-pole-it"), "the broker counts it");
                } else {
                    assertEquals(2, answers.size(), answers.toString());
                    assertTrue(answers.getFirst().contains("rejected command too large: " + BIG + " bytes"), answers.toString());
                    assertEquals(BIG, u.receivedLargestBytes(), "3.1.1: the gateway had to take all of it");
                    assertEquals(2, u.received(), "consumed once, not redelivered");
                }
            } finally {
                gateway.close();
            }
        }
    }
}
