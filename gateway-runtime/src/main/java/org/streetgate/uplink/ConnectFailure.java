package org.streetgate.uplink;

import java.util.Locale;
import java.util.Set;
import javax.net.ssl.SSLException;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.streetgate.profile.Profile;

/**
 * Why a connect to the broker failed, in words for the health report and the log, and whether
 * retrying soon can help: wrong credentials or certificates do not fix themselves.
 */
sealed interface ConnectFailure {
    String reason();

    /** Settings at one end or the other are wrong: retry only at {@code reconnect-max}. */
    record Misconfigured(String reason) implements ConnectFailure {}

    /** The broker or the network is away: retry with backoff. */
    record Unreachable(String reason) implements ConnectFailure {}

    /** TLS alerts a broker sends when it does not accept the client's certificate, or gets none. */
    Set<String> CLIENT_CERTIFICATE_ALERTS = Set.of("certificate_required", "handshake_failure", "bad_certificate",
            "unknown_ca", "certificate_unknown", "certificate_expired", "certificate_revoked", "access_denied");

    static ConnectFailure of(MqttException e, String serverUri, Profile.Platform settings) {
        int code = e.getReasonCode();
        return of(code == MqttException.REASON_CODE_FAILED_AUTHENTICATION || code == MqttException.REASON_CODE_NOT_AUTHORIZED,
                e, serverUri, settings);
    }

    /**
     * @param credentialsRefused the broker's CONNACK said the username, password or identity is wrong
     * @param e                  the client's exception (either Paho), whose causes carry TLS alerts
     */
    static ConnectFailure of(boolean credentialsRefused, Throwable e, String serverUri, Profile.Platform settings) {
        if (credentialsRefused) {
            return new Misconfigured("authentication failed for " + serverUri + " (check username and password-file)");
        }
        boolean clientCertificate = settings.tls().flatMap(Profile.Tls::cert).isPresent();
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof TlsContexts.ServerCertificateRefused refused) {
                return new Misconfigured(refused.getMessage() + " (broker " + serverUri + ")");
            }
            if (c instanceof SSLException ssl && ssl.getMessage() != null) {
                String alert = alert(ssl.getMessage());
                if (alert != null && CLIENT_CERTIFICATE_ALERTS.contains(alert)) {
                    return new Misconfigured(clientCertificate
                            ? "TLS: the broker refused the client certificate (alert " + alert + "; broker " + serverUri
                                    + "): is it signed by the CA the broker trusts, and still valid?"
                            : "TLS: the broker requires a client certificate (alert " + alert + "; broker " + serverUri
                                    + "): set platform.tls.cert and platform.tls.key");
                }
                if (alert != null && alert.equals("protocol_version")) {
                    return new Misconfigured("TLS: the broker " + serverUri + " offers no TLS version this gateway accepts"
                            + " (TLS 1.2 or 1.3)");
                }
            }
        }
        return new Unreachable("cannot connect to " + serverUri + ": " + describe(e));
    }

    /** The alert name in the JSSE's {@code "Received fatal alert: certificate_required"}, or null. */
    private static String alert(String message) {
        String marker = "received fatal alert: ";
        int at = message.toLowerCase(Locale.ROOT).indexOf(marker);
        return at < 0 ? null : message.substring(at + marker.length()).strip().split("\\s")[0];
    }

    private static String describe(Throwable e) {
        Throwable cause = e.getCause();
        return cause != null && cause.getMessage() != null ? cause.getMessage() : e.getMessage();
    }
}
