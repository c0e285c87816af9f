package org.streetgate.uplink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streetgate.runtime.Gateway;
import org.streetgate.drivers.testing.Await;
import org.streetgate.testing.Mosquitto;
import org.streetgate.testing.Profiles;

/** Credentials against a Mosquitto that requires them: wrong ones are reported as such and not hammered. */
class UplinkAuthIT {
    @TempDir
    Path dir;

    private Gateway start(Mosquitto broker, String password) throws Exception {
        Path data = Files.createDirectories(dir.resolve("data-" + password));
        Path secret = Files.writeString(data.resolve("mqtt.secret"), password + "\n");
        Files.setPosixFilePermissions(secret, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        String yaml = Profiles.gateway(broker.uri(), "username: pole-7\n  password-file: mqtt.secret",
                "{path: outbox.db, max-bytes: 16MiB}", "")
                .replace("reconnect-max: 500ms", "reconnect-max: 2s");
        return Gateway.start(Profiles.load(dir, "auth-" + password, yaml), data, false);
    }

    @Test
    void wrong_credentials_are_reported_and_retried_only_at_the_maximum_interval() throws Exception {
        try (Mosquitto broker = Mosquitto.startWithPassword(dir, "pole-7", "right-secret")) {
            Gateway wrong = start(broker, "wrong-secret");
            try {
                Await.until(Duration.ofSeconds(10), () -> wrong.uplink().stats().connectFailures() >= 1, () -> "no attempt");
                long first = System.nanoTime();
                Await.until(Duration.ofSeconds(10), () -> wrong.uplink().stats().connectFailures() >= 2, () -> "no retry");
                long gapMs = (System.nanoTime() - first) / 1_000_000;
                var stats = wrong.uplink().stats();
                assertFalse(stats.connected());
                assertTrue(stats.lastError() != null && stats.lastError().startsWith("authentication failed"), stats.lastError());
                // reconnect-min is 100 ms, reconnect-max 2 s: an outage retries within 200 ms, a refusal waits the maximum.
                assertTrue(gapMs >= 1_900, "retried after " + gapMs + " ms, not at the maximum interval");
            } finally {
                wrong.close();
            }
            Gateway right = start(broker, "right-secret");
            try {
                Await.until(Duration.ofSeconds(10), () -> right.uplink().connected(), () -> "the right password connects");
                assertEquals(null, right.uplink().stats().lastError());
            } finally {
                right.close();
            }
        }
    }
}
