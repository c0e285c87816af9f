package org.streetgate.uplink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streetgate.fault.GatewayProcess;
import org.streetgate.runtime.Gateway;
import org.streetgate.testing.Mosquitto;
import org.streetgate.testing.Profiles;
import org.streetgate.testing.Subscriber;
import org.streetgate.testing.TestPki;

/**
 * Mutual TLS against a real Mosquitto with certificates made by openssl: the gateway connects with
 * its client certificate; a wrong CA, an expired or misnamed server certificate and a missing
 * client certificate each fail with an error naming the cause, retried only at reconnect-max.
 */
class MutualTlsIT {
    private static final Duration RECONNECT_MAX = Duration.ofSeconds(2);
    @TempDir
    Path dir;
    private TestPki pki;
    private TestPki.Issued pole;

    @BeforeEach
    void pki() throws Exception {
        pki = TestPki.create(dir.resolve("pki"), "streetgate-test-ca");
        pole = pki.client("pole-it");
    }

    private Mosquitto broker(TestPki.Issued serverCert) throws Exception {
        return Mosquitto.startTls(dir, new Mosquitto.Tls(pki.ca(), serverCert.cert(), serverCert.key(), true, false,
                Optional.empty()));
    }

    private Mosquitto validBroker() throws Exception {
        return broker(pki.server("localhost", "DNS:localhost", "IP:127.0.0.1"));
    }

    private String profile(Mosquitto broker, String tls) {
        return Profiles.gateway(broker.tlsUri(), "tls: " + tls, "{path: outbox.db, max-bytes: 16MiB}", "")
                .replace("reconnect-max: 500ms", "reconnect-max: " + RECONNECT_MAX.toMillis() + "ms");
    }

    private String mutual(Path ca) {
        return "{ca: " + ca + ", cert: " + pole.cert() + ", key: " + pole.key() + "}";
    }

    private Gateway start(String name, String yaml) throws Exception {
        return Gateway.start(Profiles.load(dir, name, yaml), dir.resolve("data-" + name), false);
    }

    @Test
    void the_gateway_connects_with_its_client_certificate_and_publishes_its_birth() throws Exception {
        try (Mosquitto broker = validBroker(); Subscriber platform = new Subscriber(broker.uri(), "sg/v1/pole-it/#")) {
            Gateway gateway = start("mutual", profile(broker, mutual(pki.ca())));
            try {
                Subscriber.Received birth = platform.next("/state", Duration.ofSeconds(15));
                assertEquals("online", birth.json().get("state").asText());
                assertTrue(gateway.uplink().connected());
                assertEquals(null, gateway.uplink().stats().lastError());
            } finally {
                gateway.close();
            }
            assertTrue(broker.log().contains("New client connected from 127.0.0.1"), broker.log());
        }
    }

    @Test
    void a_server_certificate_from_another_ca_is_not_trusted() throws Exception {
        TestPki other = TestPki.create(dir.resolve("other-pki"), "someone-elses-ca");
        try (Mosquitto broker = validBroker()) {
            refusedAtTheMaximumInterval(profile(broker, mutual(other.ca())),
                    "TLS: server certificate not trusted by the configured CA (" + other.ca() + "): it was issued by CN=streetgate-test-ca");
        }
    }

    @Test
    void an_expired_server_certificate_is_refused_as_expired() throws Exception {
        try (Mosquitto broker = broker(pki.expiredServer("localhost", "DNS:localhost", "IP:127.0.0.1"))) {
            refusedAtTheMaximumInterval(profile(broker, mutual(pki.ca())), "TLS: server certificate expired on 2020-02-01T00:00:00Z");
        }
    }

    @Test
    void a_server_certificate_for_another_host_is_refused() throws Exception {
        try (Mosquitto broker = broker(pki.server("broker.example.net", "DNS:broker.example.net"))) {
            refusedAtTheMaximumInterval(profile(broker, mutual(pki.ca())),
                    "TLS: hostname 127.0.0.1 does not match the server certificate (it names broker.example.net)");
        }
    }

    @Test
    void without_a_client_certificate_the_broker_says_it_requires_one() throws Exception {
        try (Mosquitto broker = validBroker()) {
            refusedAtTheMaximumInterval(profile(broker, "{ca: " + pki.ca() + "}"), "TLS: the broker requires a client certificate");
        }
    }

    /** Paho can be told not to verify host names; the factory's sockets verify them anyway. */
    @Test
    void host_names_are_verified_even_if_the_mqtt_client_is_told_not_to() throws Exception {
        try (Mosquitto broker = broker(pki.server("broker.example.net", "DNS:broker.example.net"))) {
            var tls = Optional.of(new org.streetgate.profile.Profile.Tls(Optional.of(pki.ca()), Optional.of(pole.cert()),
                    Optional.of(pole.key())));
            var options = new org.eclipse.paho.client.mqttv3.MqttConnectOptions();
            options.setSocketFactory(TlsContexts.socketFactory(tls, dir));
            options.setHttpsHostnameVerificationEnabled(false);
            var client = new org.eclipse.paho.client.mqttv3.MqttClient(broker.tlsUri(), "no-verify",
                    new org.eclipse.paho.client.mqttv3.persist.MemoryPersistence());
            var e = org.junit.jupiter.api.Assertions.assertThrows(org.eclipse.paho.client.mqttv3.MqttException.class,
                    () -> client.connect(options));
            client.close();
            Throwable c = e;
            while (c.getCause() != null && !(c instanceof TlsContexts.ServerCertificateRefused)) {
                c = c.getCause();
            }
            assertEquals("TLS: hostname 127.0.0.1 does not match the server certificate (it names broker.example.net)",
                    c.getMessage());
        }
    }

    /** The log says it too: a gateway process on its own, as `streetgate run` writes the console. */
    @Test
    void the_log_names_the_cause_and_the_wait() throws Exception {
        try (Mosquitto broker = broker(pki.expiredServer("localhost", "DNS:localhost", "IP:127.0.0.1"))) {
            Path profile = dir.resolve("child.yaml");
            Files.writeString(profile, profile(broker, mutual(pki.ca())));
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            Process child = new ProcessBuilder(java, "-Xmx128m", "-cp", System.getProperty("java.class.path"),
                    GatewayProcess.class.getName(), profile.toString(), dir.resolve("data-child").toString())
                    .redirectErrorStream(true).start();
            try {
                CompletableFuture<String> line = CompletableFuture.supplyAsync(() -> {
                    try (BufferedReader r = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                        for (String l = r.readLine(); l != null; l = r.readLine()) {
                            if (l.contains("uplink: TLS:")) {
                                return l;
                            }
                        }
                        return "(the gateway's output ended without a TLS line)";
                    } catch (java.io.IOException e) {
                        return e.toString();
                    }
                });
                String logged = line.get(60, TimeUnit.SECONDS);
                assertTrue(logged.contains("ERROR uplink: TLS: server certificate expired on 2020-02-01T00:00:00Z (broker "
                        + broker.tlsUri() + "); retrying in 2 s"), logged);
            } finally {
                child.destroyForcibly().waitFor();
            }
        }
    }

    /**
     * Waits for the first failed connect, checks its reason in the uplink's status and in health,
     * then times the second attempt: after a configuration error it comes {@code reconnect-max}
     * later, where backoff from {@code reconnect-min} (100 ms) would retry within 200 ms.
     */
    private void refusedAtTheMaximumInterval(String yaml, String reasonPrefix) throws Exception {
        Gateway gateway = start("refused", yaml);
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (gateway.uplink().stats().lastError() == null && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            long firstFailed = System.nanoTime();
            UplinkStats stats = gateway.uplink().stats();
            assertFalse(stats.connected());
            assertTrue(stats.lastError() != null && stats.lastError().startsWith(reasonPrefix),
                    "expected '" + reasonPrefix + "...', got: " + stats.lastError());
            @SuppressWarnings("unchecked")
            Map<String, Object> uplink = (Map<String, Object>) gateway.health().snapshot().get("uplink");
            assertEquals(stats.lastError(), uplink.get("last_error"), "health shows the same reason");
            assertEquals(false, uplink.get("connected"));

            long failures = stats.connectFailures();
            while (gateway.uplink().stats().connectFailures() == failures && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            long gapMillis = (System.nanoTime() - firstFailed) / 1_000_000;
            assertEquals(failures + 1, gateway.uplink().stats().connectFailures(), "a second attempt within 20 s");
            assertTrue(gapMillis >= RECONNECT_MAX.toMillis() - 100, "retried after " + gapMillis + " ms, not at reconnect-max");
            assertTrue(gateway.uplink().stats().lastError().startsWith(reasonPrefix), gateway.uplink().stats().lastError());
        } finally {
            gateway.close();
        }
    }
}
