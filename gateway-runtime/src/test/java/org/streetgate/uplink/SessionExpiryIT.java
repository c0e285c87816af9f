package org.streetgate.uplink;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.streetgate.runtime.Gateway;
import org.streetgate.testing.Mosquitto;
import org.streetgate.testing.Profiles;
import org.streetgate.testing.Subscriber;

/**
 * MQTT 5: the broker keeps the gateway's session, and the commands sent while it was away, for
 * {@code session-expiry} and no longer (3.1.1 keeps it until the broker's own limit).
 */
class SessionExpiryIT {
    @TempDir
    Path dir;

    @ParameterizedTest
    @CsvSource({"1d, true", "1s, false"})
    void a_command_sent_while_away_waits_only_as_long_as_the_session(String expiry, boolean kept) throws Exception {
        try (Mosquitto broker = Mosquitto.start(dir);
             Subscriber state = new Subscriber(broker.uri(), "sg/v1/pole-it/state");
             Subscriber results = new Subscriber(broker.uri(), "sg/v1/pole-it/cmd/result")) {
            String yaml = Profiles.mqtt5(Profiles.gateway(broker.uri(), "session-expiry: " + expiry, "{path: outbox.db, max-bytes: 16MiB}", ""));
            Gateway first = Gateway.start(Profiles.load(dir, "pole", yaml), dir.resolve("data"), false);
            state.awaitBirth(Duration.ofSeconds(10));
            first.close(); // a clean DISCONNECT: on MQTT 5 the session still lives for session-expiry
            results.publish("sg/v1/pole-it/cmd", "{\"id\":\"while-away\",\"device\":\"gateway\",\"action\":\"ping\"}");
            // Mosquitto expires sessions on its own timer: give the 1 s session time to go. The result is
            // decided by what arrives below, not by this wait.
            Thread.sleep(3_000);
            Gateway second = Gateway.start(Profiles.load(dir, "pole", yaml), dir.resolve("data"), false);
            try {
                state.awaitBirth(Duration.ofSeconds(10));
                results.publish("sg/v1/pole-it/cmd", "{\"id\":\"after\",\"device\":\"gateway\",\"action\":\"ping\"}");
                List<String> ids = new ArrayList<>();
                while (!ids.contains("after")) {
                    ids.add(results.next("/cmd/result", Duration.ofSeconds(15)).json().path("id").asText());
                }
                // A queued command is delivered right after CONNACK, so its result precedes the later one.
                assertEquals(kept ? List.of("while-away", "after") : List.of("after"), ids);
            } finally {
                second.close();
            }
        }
    }
}
