package org.streetgate.uplink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streetgate.runtime.Gateway;
import org.streetgate.testing.Mosquitto;
import org.streetgate.testing.Profiles;

/** MQTT 5: what the broker grants in CONNACK (Receive Maximum, Server Keep Alive) is what the uplink uses. */
class BrokerLimitsIT {
    @TempDir
    Path dir;

    @Test
    void the_brokers_receive_maximum_and_server_keep_alive_are_honoured() throws Exception {
        // max_inflight_messages becomes CONNACK's Receive Maximum; max_keepalive its Server Keep Alive.
        try (Mosquitto broker = Mosquitto.startWith(dir, "max_inflight_messages 3\nmax_keepalive 10\n")) {
            String sensors = "  - {id: air-1, driver: pms5003, serial: {port: /dev/ttyAMA0}, poll: 20ms, sim: true}";
            String yaml = Profiles.mqtt5(Profiles.gateway(broker.uri(), "batch-records: 1\n  max-in-flight: 10\n  keep-alive: 30s",
                    "{path: outbox.db, max-bytes: 16MiB}", sensors));
            broker.stop(); // a backlog first, so the drain would put max-in-flight (10) messages out at once
            Gateway gateway = Gateway.start(Profiles.load(dir, "pole", yaml), dir.resolve("data"), false);
            try {
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (gateway.outbox().lastSeq() < 100 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                broker.restart();
                while (gateway.uplink().stats().messagesPublished() < 100 && System.nanoTime() < deadline) {
                    Thread.sleep(20);
                }
                UplinkStats u = gateway.uplink().stats();
                assertTrue(u.messagesPublished() >= 100, "drains one record a message: " + u.messagesPublished());
                @SuppressWarnings("unchecked")
                Map<String, Object> up = (Map<String, Object>) gateway.health().snapshot().get("uplink");
                assertEquals(3, up.get("broker_receive_maximum"));
                assertEquals(10L, up.get("keep_alive_s"), "the Server Keep Alive replaces the 30 s asked for");
                assertEquals(1L, u.connects(), "no reconnect");
                assertEquals(0L, u.sendRefusals(), "Paho never had to refuse a publish beyond the broker's Receive Maximum");
                assertEquals(null, u.lastError());
            } finally {
                gateway.close();
            }
        }
    }
}
