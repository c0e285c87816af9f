package org.streetgate.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.streetgate.drivers.testing.Await;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.streetgate.drivers.pms5003.Pms5003Simulator;
import org.streetgate.drivers.testing.SocatPty;
import org.streetgate.drivers.transport.JSerialCommLink;
import org.streetgate.drivers.transport.SerialSettings;
import org.streetgate.outbox.SqliteOutbox;
import org.streetgate.profile.Profile;
import org.streetgate.testing.Mosquitto;
import org.streetgate.testing.Profiles;
import org.streetgate.testing.Subscriber;

/** The whole gateway against a real Mosquitto, with a PMS5003 simulator on the far end of a real pty. */
class GatewayIT {
    @TempDir
    Path dir;

    private static String profile(String brokerUri, String devices) {
        return Profiles.gateway(brokerUri, "{path: outbox.db, max-bytes: 16MiB, commit-window: 20ms}", devices);
    }

    private static String profile(String brokerUri, String protocol, String devices) {
        return Profiles.gateway(brokerUri, "protocol: \"" + protocol + "\"", "{path: outbox.db, max-bytes: 16MiB, commit-window: 20ms}",
                devices);
    }

    @Test
    void readings_from_a_pty_attached_sensor_reach_the_platform_with_consecutive_seq() throws Exception {
        try (Mosquitto broker = Mosquitto.start(dir); SocatPty pty = SocatPty.start(dir, "air")) {
            Pms5003Simulator sim = new Pms5003Simulator(3, Duration.ofMillis(100), 0);
            var deviceEnd = JSerialCommLink.open(SerialSettings.of(pty.deviceEnd().toString(), 9600));
            Thread device = Thread.ofVirtual().start(() -> {
                try (deviceEnd) {
                    sim.serve(deviceEnd);
                } catch (Exception e) {
                    // test over
                }
            });
            Profile p = Profiles.load(dir, "pole", profile(broker.uri(),
                    "  - {id: air-1, driver: pms5003, serial: {port: " + pty.driverEnd() + "}, poll: 150ms}"));
            try (Subscriber sub = new Subscriber(broker.uri(), "sg/v1/pole-it/#")) {
                long before = System.currentTimeMillis();
                Gateway gateway = Gateway.start(p, dir.resolve("data"), false);
                try {
                    JsonNode birth = sub.next("/state", Duration.ofSeconds(10)).json();
                    assertEquals("online", birth.get("state").asText());
                    assertEquals("sensor-pole", birth.get("model").asText());
                    assertTrue(birth.has("version") && birth.has("ts"));

                    Subscriber.Received first = sub.next("/telemetry", Duration.ofSeconds(15));
                    assertEquals("sg/v1/pole-it/telemetry", first.topic());
                    assertEquals("pole-it", first.json().get("gateway").asText());
                    assertEquals(Set.of("gateway", "records"), fieldNames(first.json()));
                    List<JsonNode> records = new ArrayList<>();
                    first.json().get("records").forEach(records::add);
                    records.addAll(sub.records("/telemetry", 5, Duration.ofSeconds(15)));
                    long expectedSeq = records.getFirst().get("seq").asLong();
                    assertEquals(1, expectedSeq, "the first record of a new gateway has seq 1");
                    for (JsonNode r : records) {
                        assertEquals(Set.of("seq", "ts", "device", "metrics"), fieldNames(r));
                        assertEquals(expectedSeq++, r.get("seq").asLong(), "consecutive seq");
                        assertEquals("air-1", r.get("device").asText());
                        long ts = r.get("ts").asLong();
                        assertTrue(ts >= before && ts <= System.currentTimeMillis(), "ts in ms since the epoch");
                        JsonNode m = r.get("metrics");
                        assertEquals(Set.of("pm1_0_ug_m3", "pm2_5_ug_m3", "pm10_ug_m3"), fieldNames(m));
                        int pm25 = m.get("pm2_5_ug_m3").asInt();
                        assertTrue(m.get("pm2_5_ug_m3").isIntegralNumber(), "whole µg/m³ as the sensor reports them");
                        assertTrue(pm25 >= 1 && pm25 <= 300, "plausible PM2.5 " + pm25);
                        assertTrue(m.get("pm10_ug_m3").asInt() >= pm25);
                    }
                } finally {
                    gateway.close();
                    device.interrupt();
                }
                JsonNode last = sub.next("/state", Duration.ofSeconds(10)).json();
                assertEquals("offline", last.get("state").asText());
            }
        }
    }

    /** On both protocols the uplink keeps: 5 is the default, 3.1.1 is for brokers without MQTT 5. */
    @ParameterizedTest
    @ValueSource(strings = {"5", "3.1.1"})
    void records_buffered_while_the_broker_is_down_all_arrive_in_order_after_a_restart(String protocol) throws Exception {
        try (Mosquitto broker = Mosquitto.start(dir)) {
            broker.stop();
            String sensors = "  - {id: air-1, driver: pms5003, serial: {port: /dev/ttyAMA0}, poll: 20ms, sim: true}";
            Gateway offline = Gateway.start(Profiles.load(dir, "pole", profile(broker.uri(), protocol, sensors)),
                    dir.resolve("data"), false);
            Await.until(Duration.ofSeconds(20), () -> offline.outbox().lastSeq() >= 40, () -> "buffered " + offline.outbox().lastSeq());
            assertFalse(offline.uplink().connected());
            offline.close();

            long buffered;
            try (SqliteOutbox box = SqliteOutbox.open(dir.resolve("data/outbox.db"), new SqliteOutbox.Settings(16 << 20, Duration.ofMillis(10), 100, 1))) {
                buffered = box.stats().rows();
                assertEquals(box.lastSeq(), buffered, "nothing was published or lost while the broker was down");
            }
            assertTrue(buffered >= 40, "buffered " + buffered);

            broker.restart();
            try (Subscriber sub = new Subscriber(broker.uri(), "sg/v1/pole-it/#")) {
                // Restart with no devices: exactly the buffered records must arrive, each once.
                Gateway online = Gateway.start(Profiles.load(dir, "empty", profile(broker.uri(), protocol, "")), dir.resolve("data"), false);
                try {
                    awaitEmpty(online.outbox());
                    assertEquals(protocol, online.health().snapshot().get("uplink") instanceof java.util.Map<?, ?> u
                            ? u.get("protocol") : null, "health names the protocol in use");
                } finally {
                    online.close();
                }
                // Everything the gateway sent before its clean stop precedes its offline state.
                List<JsonNode> got = sub.recordsUntilOffline("/telemetry", Duration.ofSeconds(20));
                assertEquals(buffered, got.size(), "every buffered record exactly once (no duplicates, none lost)");
                for (int i = 0; i < got.size(); i++) {
                    assertEquals(i + 1, got.get(i).get("seq").asLong(), "seq " + (i + 1) + " in order");
                }
            }
        }
    }

    static void awaitEmpty(SqliteOutbox outbox) throws InterruptedException {
        Await.until(Duration.ofSeconds(10), () -> outbox.stats().rows() == 0, () -> "rows left after PUBACK: " + outbox.stats().rows());
    }

    static Set<String> fieldNames(JsonNode n) {
        Set<String> out = new java.util.TreeSet<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
