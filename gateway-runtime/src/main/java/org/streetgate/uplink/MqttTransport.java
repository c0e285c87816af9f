package org.streetgate.uplink;

import java.time.Duration;
import java.util.Optional;
import javax.net.SocketFactory;
import org.streetgate.profile.Profile;

/**
 * The MQTT client under the uplink, one implementation per protocol version ({@link PahoV5Transport},
 * {@link PahoV3Transport}), QoS 1 throughout. The uplink keeps the drain, the cursors, the priorities
 * and the birth; a transport only connects, publishes, subscribes and reports.
 */
public interface MqttTransport extends AutoCloseable {

    /**
     * Everything a transport needs to connect, built by the uplink from the profile and the data dir.
     *
     * @param password the password-file's content, when there is one
     * @param will     the retained {@code offline} state the broker publishes if the gateway vanishes
     */
    record Connection(String serverUri, String clientId, Optional<String> username, Optional<byte[]> password,
                      Optional<SocketFactory> socketFactory, String willTopic, byte[] will, Profile.Platform settings) {}

    /** Connection changes and commands, called on the client's threads; implementations never throw into them. */
    interface Events {
        void connectionLost(String cause);

        void message(String topic, byte[] payload);
    }

    /** How one QoS 1 publish or subscribe ended. */
    interface Outcome {
        /**
         * The broker answered. {@code reasonCode} is the MQTT 5 reason code of the PUBACK or SUBACK
         * (0x80 and above is a refusal); over 3.1.1, which has no way to refuse a publish, it is the
         * granted QoS for a subscribe and 0 for a publish.
         */
        void answered(int reasonCode, String reasonString);

        /** No answer: the connection went, or the client refused to send it. */
        void failed(Throwable error);
    }

    /**
     * What the broker granted in CONNACK. 3.1.1 grants nothing, so these are the values asked for.
     *
     * @param receiveMaximum QoS 1 messages the broker takes in flight at once
     * @param keepAlive      the keep-alive in force (MQTT 5: the Server Keep Alive if the broker sent one)
     */
    record Granted(int receiveMaximum, Duration keepAlive) {}

    /** Connects and returns once CONNACK accepted the connection; {@code events} hears the rest. */
    Granted connect(Events events) throws TransportException;

    boolean connected();

    void subscribe(String filter, Outcome outcome) throws TransportException;

    void publish(String topic, byte[] payload, boolean retained, Outcome outcome) throws TransportException;

    /** The largest payload one publish may carry on this transport (its own packet limits). */
    int maxPayload();

    /**
     * Drops the connection at once without a normal DISCONNECT, so the broker publishes the will.
     * The session and the messages in flight are kept: they are sent again on the next connect.
     */
    void abort();

    /**
     * Whether {@link #abort} keeps every unacknowledged message. False for Paho v3: a forced
     * reconnect there lost a record in about half of AckWatchdogIT's runs, so on 3.1.1 the
     * watchdog reports a wedged connection but does not drop it.
     */
    boolean abortKeepsMessages();

    /** A normal DISCONNECT: no will. */
    void disconnect(Duration timeout);

    @Override
    void close();

    /** A connect, publish or subscribe that failed; {@code credentialsRefused} when the broker said who we are is wrong. */
    final class TransportException extends Exception {
        private final boolean credentialsRefused;

        TransportException(String message, Throwable cause, boolean credentialsRefused) {
            super(message, cause);
            this.credentialsRefused = credentialsRefused;
        }

        boolean credentialsRefused() {
            return credentialsRefused;
        }
    }
}
