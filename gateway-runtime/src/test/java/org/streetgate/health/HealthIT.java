package org.streetgate.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streetgate.runtime.Gateway;
import org.streetgate.testing.Mosquitto;
import org.streetgate.testing.Profiles;
import org.streetgate.testing.Subscriber;

/** The periodic {@code health} message as the platform receives it. */
class HealthIT {
    @TempDir
    Path dir;

    @Test
    void health_reports_buffer_uplink_and_each_device_with_its_last_error() throws Exception {
        try (Mosquitto broker = Mosquitto.start(dir); Subscriber sub = new Subscriber(broker.uri(), "sg/v1/pole-it/health")) {
            String devices = """
                      - {id: air-1, driver: pms5003, serial: {port: /dev/ttyAMA0}, poll: 200ms, sim: true}
                      - {id: air-2, driver: pms5003, serial: {port: %s}, poll: 1s}
                    """.formatted(dir.resolve("no-such-tty"));
            Gateway g = Gateway.start(Profiles.load(dir, "pole", Profiles.gateway(broker.uri(),
                    "{path: outbox.db, max-bytes: 16MiB}", devices.stripTrailing())), dir.resolve("data"), false);
            try {
                JsonNode h = null;
                long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
                // Skip reports from before the first readings went out.
                while (System.nanoTime() < deadline) {
                    h = sub.next("/health", Duration.ofSeconds(10)).json();
                    if (h.get("uplink").get("published_records").asLong() > 0
                            && h.get("devices").get("air-2").has("last_error")) {
                        break;
                    }
                }
                assertTrue(h.get("uptime_s").asLong() >= 0);
                assertTrue(h.get("heap_used_bytes").asLong() > 0 && h.get("heap_max_bytes").asLong() > 0);
                JsonNode buffer = h.get("buffer");
                for (String field : new String[] {"rows", "bytes", "max_bytes", "file_bytes", "oldest_unsent_age_s", "last_seq"}) {
                    assertTrue(buffer.has(field), "buffer." + field + " in " + buffer);
                }
                assertEquals(16L << 20, buffer.get("max_bytes").asLong());
                assertEquals(0, buffer.get("evicted").get("telemetry").asLong());
                JsonNode uplink = h.get("uplink");
                assertTrue(uplink.get("connected").asBoolean());
                assertTrue(uplink.has("publish_rate_records_s") && uplink.has("last_sync_ts"), uplink.toString());
                assertEquals("ok", h.get("devices").get("air-1").get("status").asText());
                JsonNode down = h.get("devices").get("air-2");
                assertEquals("offline", down.get("status").asText());
                assertTrue(down.get("last_error").asText().contains("no-such-tty"), down.toString());
                assertTrue(down.get("counters").get("reconnects").asLong() >= 1);
            } finally {
                g.close();
            }
        }
    }
}
