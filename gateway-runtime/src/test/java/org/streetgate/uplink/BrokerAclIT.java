package org.streetgate.uplink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streetgate.profile.Profile;
import org.streetgate.runtime.Gateway;
import org.streetgate.testing.Mosquitto;
import org.streetgate.testing.Profiles;
import org.streetgate.testing.TestPki;

/**
 * The broker ACL shipped in docs/security/mosquitto-acl.conf, run by a real Mosquitto exactly as
 * written, with real clients identified by their certificates' CN: a gateway publishes only its
 * own up topics and reads only its own commands; the real gateway does all it needs under it.
 *
 * <p>Observed with Mosquitto 2.0.11: over MQTT 3.1.1 a denied publish is acknowledged with a
 * normal PUBACK and dropped, so the publisher cannot tell; over MQTT 5 its PUBACK carries reason
 * 0x87 (not authorized). A subscription to another gateway's topics is granted (SUBACK QoS 1),
 * but nothing is delivered through it: the read rule is applied to each message.
 */
class BrokerAclIT {
    /** The file operators install, read from the repository (not a copy). */
    private static final Path ACL = Path.of("../docs/security/mosquitto-acl.conf");
    private static final Duration WAIT = Duration.ofSeconds(10);
    @TempDir
    Path dir;
    private TestPki pki;
    private Mosquitto broker;
    private final List<MqttClient> clients = new ArrayList<>();

    @BeforeEach
    void broker() throws Exception {
        pki = TestPki.create(dir.resolve("pki"), "streetgate-test-ca");
        TestPki.Issued server = pki.server("localhost", "DNS:localhost", "IP:127.0.0.1");
        broker = Mosquitto.startTls(dir, new Mosquitto.Tls(pki.ca(), server.cert(), server.key(), true, true, Optional.of(ACL)));
    }

    @AfterEach
    void stop() throws Exception {
        for (MqttClient c : clients) {
            if (c.isConnected()) {
                c.disconnect();
            }
            c.close();
        }
        broker.close();
    }

    /** An MQTT 3.1.1 client (Paho, as the gateway) with a certificate for {@code cn}, collecting what it receives. */
    private final class Client {
        final MqttClient mqtt;
        final LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();

        Client(String cn, String clientId) throws Exception {
            TestPki.Issued cert = pki.client(cn);
            MqttConnectOptions o = new MqttConnectOptions();
            o.setSocketFactory(TlsContexts.socketFactory(Optional.of(new Profile.Tls(Optional.of(pki.ca()),
                    Optional.of(cert.cert()), Optional.of(cert.key()))), dir));
            o.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
            mqtt = new MqttClient(broker.tlsUri(), clientId, new MemoryPersistence());
            clients.add(mqtt);
            mqtt.setCallback(new MqttCallback() {
                @Override
                public void connectionLost(Throwable cause) {
                    received.add("(connection lost: " + cause + ")");
                }

                @Override
                public void messageArrived(String topic, MqttMessage message) {
                    received.add(topic + " " + new String(message.getPayload(), StandardCharsets.UTF_8));
                }

                @Override
                public void deliveryComplete(IMqttDeliveryToken token) {
                    // publishes wait for their PUBACK
                }
            });
            mqtt.connect(o);
        }

        /** Publishes at QoS 1 and returns once the broker acknowledged it. */
        void publish(String topic, String payload) throws Exception {
            MqttMessage m = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
            m.setQos(1);
            mqtt.publish(topic, m);
        }

        int subscribe(String filter) throws Exception {
            return mqtt.subscribeWithResponse(filter, 1).getGrantedQos()[0];
        }

        /** The next {@code n} messages, failing if they do not come. */
        List<String> next(int n) throws InterruptedException {
            List<String> out = new ArrayList<>();
            while (out.size() < n) {
                String m = received.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
                if (m == null) {
                    throw new AssertionError("expected " + n + " messages, got " + out);
                }
                out.add(m);
            }
            return out;
        }
    }

    private static final List<String> UP = List.of("state", "telemetry", "events", "health", "cmd/result");

    @Test
    void a_gateway_publishes_only_its_own_up_topics() throws Exception {
        Client platform = new Client("streetgate.platform", "platform");
        for (String leaf : UP) {
            assertEquals(1, platform.subscribe("sg/v1/+/" + leaf));
        }
        Client a = new Client("pole-a", "streetgate-pole-a");
        for (String leaf : UP) {
            a.publish("sg/v1/pole-b/" + leaf, "spoofed by pole-a"); // acknowledged (3.1.1) and dropped
        }
        a.publish("sg/v1/pole-b/cmd", "{\"id\":\"x\",\"device\":\"locker-1\",\"action\":\"open\"}");
        a.publish("sg/v1/pole-a/cmd", "a command to itself");
        a.publish("sg/v1/streetgate.platform/telemetry", "as the platform");
        for (String leaf : UP) {
            a.publish("sg/v1/pole-a/" + leaf, "own");
        }
        // Per-publisher order is kept: had any spoofed message passed, it would arrive before these.
        List<String> got = platform.next(UP.size());
        assertEquals(UP.stream().map(leaf -> "sg/v1/pole-a/" + leaf + " own").toList(), got);

        Client b = new Client("pole-b", "streetgate-pole-b");
        assertEquals(1, b.subscribe("sg/v1/pole-b/cmd"));
        assertEquals(1, a.subscribe("sg/v1/pole-a/cmd"));
        a.publish("sg/v1/pole-a/cmd", "a command to itself, subscribed");
        platform.publish("sg/v1/pole-a/cmd", "for pole-a");
        platform.publish("sg/v1/pole-b/cmd", "for pole-b");
        assertEquals(List.of("sg/v1/pole-a/cmd for pole-a"), a.next(1), "a gateway cannot put commands on its own cmd");
        assertEquals(List.of("sg/v1/pole-b/cmd for pole-b"), b.next(1), "nothing pole-a sent reached pole-b's cmd");
    }

    @Test
    void a_gateway_reads_only_its_own_commands_even_with_wildcards() throws Exception {
        Client platform = new Client("streetgate.platform", "platform");
        Client a = new Client("pole-a", "streetgate-pole-a");
        Client b = new Client("pole-b", "streetgate-pole-b");
        assertEquals(1, b.subscribe("sg/v1/pole-b/cmd"));
        // Mosquitto grants these subscriptions; the read rule is applied to every message instead.
        List<Integer> granted = new ArrayList<>();
        for (String filter : List.of("sg/v1/pole-b/cmd", "sg/v1/+/cmd", "sg/v1/#", "#", "sg/v1/pole-b/telemetry")) {
            granted.add(a.subscribe(filter));
        }
        assertEquals(List.of(1, 1, 1, 1, 1), granted, "Mosquitto 2.0 grants subscriptions and filters deliveries");

        platform.publish("sg/v1/pole-b/cmd", "for pole-b");
        b.publish("sg/v1/pole-b/telemetry", "pole-b's readings");
        assertEquals(List.of("sg/v1/pole-b/cmd for pole-b"), b.next(1));
        platform.publish("sg/v1/pole-a/cmd", "for pole-a");
        // pole-a's own command comes through its wildcard subscriptions; pole-b's would have come first.
        List<String> got = a.next(1);
        assertEquals(List.of("sg/v1/pole-a/cmd for pole-a"), got);
        String more = a.received.poll(300, TimeUnit.MILLISECONDS);
        assertTrue(more == null || more.equals("sg/v1/pole-a/cmd for pole-a"), "only its own command, got also " + more);
        assertTrue(a.received.stream().allMatch(m -> m.equals("sg/v1/pole-a/cmd for pole-a")), a.received.toString());
    }

    @Test
    void a_gateway_cannot_take_over_another_gateways_session_by_its_client_id() throws Exception {
        Client a = new Client("pole-a", "streetgate-pole-a");
        // pole-b asks for the client id pole-a's gateway uses; the broker gives each the certificate's CN instead.
        Client b = new Client("pole-b", "streetgate-pole-a");
        a.publish("sg/v1/pole-a/health", "still here"); // would fail if pole-b had taken pole-a's session
        b.publish("sg/v1/pole-b/health", "also here");
        assertTrue(a.mqtt.isConnected() && b.mqtt.isConnected());
        assertEquals(null, a.received.poll(), "pole-a was not disconnected");
        assertTrue(broker.log().contains("as pole-a (") && broker.log().contains("as pole-b ("), broker.log());
    }

    @Test
    void mqtt_3_1_1_acknowledges_a_denied_publish_normally_and_mqtt_5_says_not_authorized() throws Exception {
        TestPki.Issued a = pki.client("pole-a");
        assertEquals("RC:0", pubackReason(a, "mqttv311", "sg/v1/pole-b/telemetry"), "3.1.1: a normal PUBACK, silently dropped");
        assertEquals("RC:135", pubackReason(a, "mqttv5", "sg/v1/pole-b/telemetry"), "MQTT 5: 0x87 not authorized");
        // 16 is 0x10 "no matching subscribers": allowed, just nobody listening.
        assertEquals("RC:16", pubackReason(a, "mqttv5", "sg/v1/pole-a/telemetry"));
        assertTrue(broker.log().contains("Denied PUBLISH from pole-a"), broker.log());
    }

    /** mosquitto_pub's debug output for one QoS 1 publish: the PUBACK's reason code. */
    private String pubackReason(TestPki.Issued cert, String version, String topic) throws Exception {
        Path out = dir.resolve("pub-" + version + ".log");
        Process p = new ProcessBuilder("mosquitto_pub", "-h", "127.0.0.1", "-p", String.valueOf(broker.tlsPort()),
                "--cafile", pki.ca().toString(), "--cert", cert.cert().toString(), "--key", cert.key().toString(),
                "-V", version, "-q", "1", "-d", "-t", topic, "-m", "x")
                .redirectErrorStream(true).redirectOutput(out.toFile()).start();
        assertTrue(p.waitFor(15, TimeUnit.SECONDS), "mosquitto_pub finished (Debian package mosquitto-clients)");
        String log = Files.readString(out);
        var m = java.util.regex.Pattern.compile("received PUBACK \\(Mid: \\d+, (RC:\\d+)\\)").matcher(log);
        assertTrue(m.find(), log);
        return m.group(1);
    }

    /** The real gateway under this ACL: birth, health, a command and its result all pass. */
    @Test
    void the_gateway_does_all_it_needs_under_the_acl() throws Exception {
        Client platform = new Client("streetgate.platform", "platform");
        for (String leaf : UP) {
            platform.subscribe("sg/v1/+/" + leaf);
        }
        TestPki.Issued pole = pki.client("pole-it");
        String yaml = Profiles.mqtt5(Profiles.gateway(broker.tlsUri(), "tls: {ca: " + pki.ca() + ", cert: " + pole.cert() + ", key: "
                + pole.key() + "}", "{path: outbox.db, max-bytes: 16MiB}", ""));
        Gateway gateway = Gateway.start(Profiles.load(dir, "pole", yaml), dir.resolve("data"), false);
        try {
            String birth = platform.next(1).getFirst();
            assertTrue(birth.startsWith("sg/v1/pole-it/state {\"state\":\"online\""), birth);
            String health = platform.next(1).getFirst();
            assertTrue(health.startsWith("sg/v1/pole-it/health {"), health);
            platform.publish("sg/v1/pole-it/cmd", "{\"id\":\"acl-1\",\"device\":\"gateway\",\"action\":\"ping\"}");
            String result = null;
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (result == null && System.nanoTime() < deadline) {
                String m = platform.next(1).getFirst();
                if (m.startsWith("sg/v1/pole-it/cmd/result")) {
                    result = m;
                }
            }
            assertTrue(result != null && result.contains("\"id\":\"acl-1\"") && result.contains("\"status\":\"ok\""), result);
        } finally {
            gateway.close();
        }
        String offline = null;
        while (offline == null) {
            String m = platform.next(1).getFirst();
            if (m.startsWith("sg/v1/pole-it/state")) {
                offline = m;
            }
        }
        assertTrue(offline.contains("\"state\":\"offline\""), offline);
        assertTrue(!broker.log().contains("Denied"), "nothing the gateway did was denied:\n" + broker.log());
    }

    /**
     * MQTT 5's answer to the silent drop above: a gateway whose certificate names another identity
     * gets 0x87 for every publish. Nothing is deleted, health says what is refused, and once the
     * gateway runs with the right identity every record arrives, none lost.
     */
    @Test
    void a_refused_publish_keeps_its_rows_until_the_identity_is_fixed() throws Exception {
        Client platform = new Client("streetgate.platform", "platform");
        for (String leaf : UP) {
            platform.subscribe("sg/v1/+/" + leaf);
        }
        TestPki.Issued wrong = pki.client("pole-x");
        String sensors = "  - {id: air-1, driver: pms5003, serial: {port: /dev/ttyAMA0}, poll: 20ms, sim: true}";
        Profile misnamed = Profiles.load(dir, "misnamed", Profiles.mqtt5(Profiles.gateway(broker.tlsUri(), "tls: {ca: " + pki.ca() + ", cert: "
                + wrong.cert() + ", key: " + wrong.key() + "}", "{path: outbox.db, max-bytes: 16MiB}", sensors)));
        long buffered;
        Gateway gateway = Gateway.start(misnamed, dir.resolve("data"), false);
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while ((gateway.uplink().stats().refused().size() < 2 || gateway.outbox().lastSeq() < 30)
                    && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            UplinkStats stats = gateway.uplink().stats();
            assertEquals(List.of("sg/v1/pole-it/events 0x87 not authorized (0x87)", "sg/v1/pole-it/telemetry 0x87 not authorized (0x87)"),
                    stats.refused().stream().map(r -> r.topic() + " " + r.codeHex() + " " + r.reason()).toList());
            assertTrue(stats.alarmBlocked(), "the uplink.refused alarm is itself refused");
            assertEquals(0, stats.messagesPublished(), "a refused message is not counted as published");
            var snapshot = gateway.health().snapshot();
            @SuppressWarnings("unchecked")
            var up = (java.util.Map<String, Object>) snapshot.get("uplink");
            assertTrue(String.valueOf(up.get("refused")).contains("code=0x87"), String.valueOf(up));
            assertEquals("not delivered: the events topic itself is refused", up.get("refused_alarm"));
        } finally {
            gateway.close();
        }
        try (var box = org.streetgate.outbox.SqliteOutbox.open(dir.resolve("data/outbox.db"),
                new org.streetgate.outbox.SqliteOutbox.Settings(16 << 20, Duration.ofMillis(10), 100, 1))) {
            buffered = box.lastSeq();
            assertEquals(buffered, box.stats().rows(), "every record is still in the outbox: nothing was deleted on 0x87");
        }
        assertTrue(broker.log().contains("Denied PUBLISH from pole-x"), broker.log());
        assertEquals(null, platform.received.poll(), "nothing of pole-x's reached the platform");

        TestPki.Issued right = pki.client("pole-it");
        Profile fixed = Profiles.load(dir, "fixed", Profiles.mqtt5(Profiles.gateway(broker.tlsUri(), "tls: {ca: " + pki.ca() + ", cert: "
                + right.cert() + ", key: " + right.key() + "}", "{path: outbox.db, max-bytes: 16MiB}", "")));
        Gateway again = Gateway.start(fixed, dir.resolve("data"), false);
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (again.outbox().stats().rows() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertEquals(0, again.outbox().stats().rows(), "the outbox drained");
            assertEquals(List.of(), again.uplink().stats().refused());
        } finally {
            again.close();
        }
        java.util.TreeSet<Long> seqs = new java.util.TreeSet<>();
        long records = 0;
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        while (true) {
            String m = platform.next(1).getFirst();
            if (m.startsWith("sg/v1/pole-it/state ") && m.contains("\"offline\"")) {
                break;
            }
            if (m.startsWith("sg/v1/pole-it/telemetry ") || m.startsWith("sg/v1/pole-it/events ")) {
                for (var r : json.readTree(m.substring(m.indexOf(' ') + 1)).get("records")) {
                    seqs.add(r.get("seq").asLong());
                    records++;
                }
            }
        }
        assertEquals(buffered, seqs.size(), "every record buffered while refused arrived");
        assertEquals(1L, seqs.first());
        assertEquals(buffered, seqs.last().longValue());
        assertEquals(buffered, records, "each once");
    }

    /**
     * When only telemetry is refused, the {@code uplink.refused} alarm itself gets out: once, through
     * the outbox and the events topic, however often the held batch is tried again.
     */
    @Test
    void a_refused_topic_raises_one_alarm_through_the_events_topic() throws Exception {
        Path acl = Files.writeString(dir.resolve("no-telemetry.acl"), """
                user streetgate.platform
                topic read sg/v1/+/#
                topic write sg/v1/+/cmd
                pattern write sg/v1/%u/state
                pattern write sg/v1/%u/events
                pattern write sg/v1/%u/health
                pattern write sg/v1/%u/cmd/result
                pattern read sg/v1/%u/cmd
                """);
        broker.close();
        TestPki.Issued server = pki.server("localhost", "DNS:localhost", "IP:127.0.0.1");
        broker = Mosquitto.startTls(Files.createDirectories(dir.resolve("b2")),
                new Mosquitto.Tls(pki.ca(), server.cert(), server.key(), true, true, Optional.of(acl)));
        Client platform = new Client("streetgate.platform", "platform");
        platform.subscribe("sg/v1/pole-it/#");
        TestPki.Issued pole = pki.client("pole-it");
        String sensors = "  - {id: air-1, driver: pms5003, serial: {port: /dev/ttyAMA0}, poll: 50ms, sim: true}";
        Gateway gateway = Gateway.start(Profiles.load(dir, "pole", Profiles.mqtt5(Profiles.gateway(broker.tlsUri(), "tls: {ca: " + pki.ca()
                + ", cert: " + pole.cert() + ", key: " + pole.key() + "}", "{path: outbox.db, max-bytes: 16MiB}", sensors))),
                dir.resolve("data"), false);
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while ((gateway.uplink().stats().refused().isEmpty() || gateway.uplink().stats().refused().getFirst().count() < 4)
                    && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            UplinkStats u = gateway.uplink().stats();
            assertEquals(1, u.refused().size(), u.refused().toString());
            assertTrue(u.refused().getFirst().count() >= 4, "the held batch was tried again: " + u.refused());
            assertTrue(!u.alarmBlocked());
            var json = new com.fasterxml.jackson.databind.ObjectMapper();
            int alarms = 0;
            boolean healthSaysRefused = false;
            for (String m = platform.received.poll(2, TimeUnit.SECONDS); m != null; m = platform.received.poll(500, TimeUnit.MILLISECONDS)) {
                assertTrue(!m.startsWith("sg/v1/pole-it/telemetry "), "no telemetry passes the ACL: " + m);
                if (m.startsWith("sg/v1/pole-it/events ")) {
                    for (var r : json.readTree(m.substring(m.indexOf(' ') + 1)).get("records")) {
                        if (r.path("type").asText().equals("uplink.refused")) {
                            alarms++;
                            assertEquals("alarm", r.path("severity").asText());
                            assertEquals("sg/v1/pole-it/telemetry", r.path("data").path("topic").asText());
                            assertEquals(0x87, r.path("data").path("code").asInt());
                        }
                    }
                }
                if (m.startsWith("sg/v1/pole-it/health ") && m.contains("\"refused\":[{\"topic\":\"sg/v1/pole-it/telemetry\"")) {
                    healthSaysRefused = true;
                }
                if (alarms > 0 && healthSaysRefused && System.nanoTime() > deadline) {
                    break;
                }
            }
            assertEquals(1, alarms, "one alarm for the new reason, not one per retry");
            assertTrue(healthSaysRefused, "the platform's health shows the refusal");
            assertTrue(gateway.outbox().stats().rowsByKind().get(org.streetgate.outbox.Kind.TELEMETRY) > 0, "telemetry is kept");
        } finally {
            gateway.close();
        }
    }
}
