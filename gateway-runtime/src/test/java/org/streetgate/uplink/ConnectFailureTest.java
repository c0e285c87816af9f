package org.streetgate.uplink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import javax.net.ssl.SSLHandshakeException;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.Test;
import org.streetgate.profile.Profile;

/**
 * How a failed connect is told apart: configuration (retried at reconnect-max) or an outage
 * (backoff). MutualTlsIT sees TLS 1.3's certificate_required from Mosquitto; a TLS 1.2 broker
 * sends handshake_failure for the same cause, which only a unit test can produce here.
 */
class ConnectFailureTest {
    private static final String URI = "ssl://broker.example.net:8883";

    private static Profile.Platform platform(boolean clientCertificate) {
        Optional<Path> cert = clientCertificate ? Optional.of(Path.of("pole.pem")) : Optional.empty();
        Optional<Path> key = clientCertificate ? Optional.of(Path.of("pole.key")) : Optional.empty();
        return new Profile.Platform(URI, "sg/v1", Optional.empty(), Optional.empty(),
                Optional.of(new Profile.Tls(Optional.of(Path.of("ca.pem")), cert, key)), Duration.ofSeconds(1),
                Duration.ofSeconds(60), 500, 128 * 1024, 10, 0, Duration.ofSeconds(30), Profile.Protocol.MQTT_5,
                Duration.ofDays(1), Duration.ofSeconds(30), 256 * 1024, Duration.ofSeconds(60));
    }

    private static MqttException failed(Throwable cause) {
        return new MqttException(MqttException.REASON_CODE_CLIENT_EXCEPTION, cause);
    }

    @Test
    void a_tls_1_2_handshake_failure_without_a_client_certificate_asks_for_one() {
        ConnectFailure f = ConnectFailure.of(failed(new SSLHandshakeException("Received fatal alert: handshake_failure")),
                URI, platform(false));
        assertEquals(new ConnectFailure.Misconfigured("TLS: the broker requires a client certificate (alert handshake_failure;"
                + " broker " + URI + "): set platform.tls.cert and platform.tls.key"), f);
    }

    @Test
    void an_alert_against_the_certificate_given_says_it_was_refused() {
        ConnectFailure f = ConnectFailure.of(failed(new SSLHandshakeException("Received fatal alert: unknown_ca")), URI, platform(true));
        assertEquals(new ConnectFailure.Misconfigured("TLS: the broker refused the client certificate (alert unknown_ca; broker "
                + URI + "): is it signed by the CA the broker trusts, and still valid?"), f);
    }

    @Test
    void a_refused_connection_is_an_outage_retried_with_backoff() {
        ConnectFailure f = ConnectFailure.of(failed(new java.net.ConnectException("Connection refused")), URI, platform(true));
        assertEquals(new ConnectFailure.Unreachable("cannot connect to " + URI + ": Connection refused"), f);
        ConnectFailure reset = ConnectFailure.of(failed(new javax.net.ssl.SSLException("Connection reset")), URI, platform(true));
        assertInstanceOf(ConnectFailure.Unreachable.class, reset);
    }

    @Test
    void wrong_credentials_are_configuration() {
        ConnectFailure f = ConnectFailure.of(new MqttException(MqttException.REASON_CODE_FAILED_AUTHENTICATION), URI, platform(false));
        assertEquals(new ConnectFailure.Misconfigured("authentication failed for " + URI + " (check username and password-file)"), f);
    }
}
