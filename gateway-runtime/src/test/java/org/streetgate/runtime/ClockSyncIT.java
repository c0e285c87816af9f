package org.streetgate.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.streetgate.drivers.testing.Await;
import org.junit.jupiter.api.io.TempDir;
import org.streetgate.outbox.Kind;
import org.streetgate.outbox.Row;
import org.streetgate.testing.Mosquitto;
import org.streetgate.testing.Profiles;
import org.streetgate.testing.Subscriber;

/**
 * A Pi that boots in 1970 with the network down: readings are stamped unsynced; when NTP sets the
 * clock, the buffered ones get their real time, and the platform receives corrected records.
 */
class ClockSyncIT {
    private static final long BUILD = 1_790_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void readings_from_before_the_clock_was_set_reach_the_platform_with_corrected_times() throws Exception {
        AtomicLong wall = new AtomicLong(5_000);       // 1970, five seconds after the epoch
        AtomicLong sinceBoot = new AtomicLong(5_000);  // five seconds after boot
        Gateway.Clocks clocks = new Gateway.Clocks(wall::get, sinceBoot::get, BUILD, 42);
        try (Mosquitto broker = Mosquitto.start(dir); Subscriber sub = new Subscriber(broker.uri(), "sg/v1/pole-it/telemetry")) {
            sub.pause();
            broker.stop();
            String yaml = Profiles.gateway(broker.uri(), "{path: outbox.db, max-bytes: 16MiB, commit-window: 10ms}",
                    "  - {id: load-1, driver: load, producers: 1, count: 20, pause-us: 20000}");
            Gateway g = Gateway.start(Profiles.load(dir, "pole", yaml, null), dir.resolve("data"), false, clocks);
            try {
                Await.until(Duration.ofSeconds(20), () -> g.outbox().lastSeq() >= 20, () -> "produced " + g.outbox().lastSeq());
                assertEquals(20, g.outbox().lastSeq());
                // NTP: ten seconds after boot the clock jumps to a plausible time.
                sinceBoot.set(10_000);
                wall.set(BUILD + 3_600_000);
                long realBoot = BUILD + 3_600_000 - 10_000;
                // The gateway notices on its own, with no new reading to stamp, and corrects the buffer.
                Await.until(Duration.ofSeconds(10),
                        () -> g.outbox().read(Kind.TELEMETRY, 0, 100, 1 << 20).stream().noneMatch(Row::unsynced),
                        () -> "records still unsynced after the clock became plausible");
                broker.restart();
                sub.reconnect();
                List<JsonNode> records = sub.records("/telemetry", 20, Duration.ofSeconds(20));
                assertEquals(20, records.size());
                for (JsonNode r : records) {
                    assertFalse(r.has("ts_quality"), "corrected before it left: " + r);
                    assertEquals(realBoot + 5_000, r.get("ts").asLong(), "boot time + 5 s since boot: " + r);
                }
            } finally {
                g.close();
            }
        }
    }
}
