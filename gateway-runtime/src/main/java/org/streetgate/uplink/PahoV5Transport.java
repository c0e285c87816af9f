package org.streetgate.uplink;

import java.time.Duration;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.tinylog.Logger;

/**
 * MQTT 5 through Paho mqttv5: PUBACK reason codes tell a refused publish from a delivered one, the
 * session expires after {@code session-expiry} instead of never, the will waits {@code will-delay},
 * and CONNECT's Maximum Packet Size ({@code max-inbound}) stops the broker sending anything bigger.
 */
final class PahoV5Transport implements MqttTransport {
    /** CONNACK reasons that mean the credentials or the identity are wrong, not the network. */
    private static final java.util.Set<Integer> CREDENTIALS_REFUSED = java.util.Set.of(
            0x85, // client identifier not valid
            0x86, // bad user name or password
            0x87, // not authorized
            0x8A, // banned
            0x8C); // bad authentication method
    private final MqttTransport.Connection connection;
    private final MqttAsyncClient client;
    private final MqttConnectionOptions options = new MqttConnectionOptions();
    private volatile Events events;

    PahoV5Transport(MqttTransport.Connection c) {
        this.connection = c;
        try {
            this.client = new MqttAsyncClient(c.serverUri(), c.clientId(), new MemoryPersistence());
        } catch (MqttException e) {
            throw new IllegalArgumentException("bad platform url " + c.serverUri() + ": " + e.getMessage(), e);
        }
        var settings = c.settings();
        options.setCleanStart(false);
        options.setSessionExpiryInterval(settings.sessionExpiry().toSeconds());
        options.setAutomaticReconnect(false); // the uplink's own loop: backoff with full jitter
        options.setKeepAliveInterval((int) settings.keepAlive().toSeconds());
        options.setConnectionTimeout(10);
        options.setMaximumPacketSize((long) settings.maxInbound());
        MqttMessage will = new MqttMessage(c.will());
        will.setQos(1);
        will.setRetained(true);
        options.setWill(c.willTopic(), will);
        MqttProperties willProperties = new MqttProperties();
        willProperties.setWillDelayInterval(settings.willDelay().toSeconds());
        options.setWillMessageProperties(willProperties);
        c.username().ifPresent(options::setUserName);
        c.password().ifPresent(options::setPassword);
        c.socketFactory().ifPresent(options::setSocketFactory);
        client.setCallback(new Callback());
    }

    @Override
    public Granted connect(Events events) throws TransportException {
        this.events = events;
        IMqttToken token;
        try {
            token = client.connect(options);
            token.waitForCompletion(15_000);
        } catch (MqttException e) {
            int code = e.getReasonCode();
            abandonConnect();
            throw new TransportException("connect failed: " + e.getMessage() + " (reason 0x" + Integer.toHexString(code) + ")",
                    e, CREDENTIALS_REFUSED.contains(code));
        }
        MqttProperties granted = token.getResponseProperties();
        Integer receiveMaximum = granted == null ? null : granted.getReceiveMaximum();
        Integer serverKeepAlive = granted == null ? null : granted.getServerKeepAlive();
        // Paho itself switches its pings to the Server Keep Alive; this reports what is in force.
        return new Granted(receiveMaximum == null ? 65_535 : receiveMaximum,
                Duration.ofSeconds(serverKeepAlive == null ? options.getKeepAliveInterval() : serverKeepAlive));
    }

    /**
     * A connect that timed out or was cut short can leave Paho "connecting" or "disconnecting",
     * and every later connect then fails with "Connect already in progress" for ever (seen after a
     * broker restart under load). Reset the client so the next attempt starts clean.
     */
    private void abandonConnect() {
        try {
            client.disconnectForcibly(0, 1_000, false);
        } catch (MqttException | RuntimeException e) {
            Logger.debug("uplink: reset after a failed connect: {}", e.getMessage());
        }
    }

    @Override
    public boolean connected() {
        return client.isConnected();
    }

    @Override
    public void subscribe(String filter, Outcome outcome) throws TransportException {
        try {
            client.subscribe(filter, 1, null, listener(outcome));
        } catch (MqttException e) {
            throw new TransportException("subscribe failed: " + e.getMessage(), e, false);
        }
    }

    @Override
    public void publish(String topic, byte[] payload, boolean retained, Outcome outcome) throws TransportException {
        MqttMessage m = new MqttMessage(payload);
        m.setQos(1);
        m.setRetained(retained);
        try {
            client.publish(topic, m, null, listener(outcome));
        } catch (MqttException e) {
            throw new TransportException("publish failed: " + e.getMessage(), e, false);
        }
    }

    private static MqttActionListener listener(Outcome outcome) {
        return new MqttActionListener() {
            @Override
            public void onSuccess(IMqttToken token) {
                // Paho 1.2.5 completes a PUBACK or SUBACK with a failure reason as a success: read the code.
                int[] codes = token.getReasonCodes();
                MqttProperties p = token.getResponseProperties();
                outcome.answered(codes == null || codes.length == 0 ? 0 : codes[0], p == null ? null : p.getReasonString());
            }

            @Override
            public void onFailure(IMqttToken token, Throwable error) {
                outcome.failed(error);
            }
        };
    }

    /**
     * Paho 1.2.5 applies the client's own Maximum Packet Size to what it sends as well (a packet
     * above it fails the connection), so nothing larger than {@code max-inbound} may be published.
     */
    @Override
    public int maxPayload() {
        return connection.settings().maxInbound() - 1024;
    }

    @Override
    public boolean abortKeepsMessages() {
        return true;
    }

    @Override
    public void abort() {
        try {
            // Reason 0x04 "disconnect with will message": the broker treats it as a loss and publishes the will.
            client.disconnectForcibly(0, 1_000, 0x04, new MqttProperties());
        } catch (MqttException e) {
            Logger.debug("uplink: abort: {}", e.getMessage());
        }
    }

    @Override
    public void disconnect(Duration timeout) {
        try {
            client.disconnect(timeout.toMillis()).waitForCompletion(timeout.toMillis() + 2_000);
        } catch (MqttException e) {
            Logger.warn("uplink: clean disconnect failed: {}", e.getMessage());
        }
    }

    @Override
    public void close() {
        try {
            client.close(true);
        } catch (MqttException e) {
            Logger.debug("uplink: close: {}", e.getMessage());
        }
    }

    private final class Callback implements MqttCallback {
        @Override
        public void disconnected(MqttDisconnectResponse response) {
            String reason = response.getReasonString() != null ? response.getReasonString()
                    : response.getException() != null ? String.valueOf(response.getException().getMessage())
                    : "broker sent DISCONNECT 0x" + Integer.toHexString(response.getReturnCode());
            events.connectionLost(reason);
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
            Logger.warn("uplink: MQTT error: {}", exception.getMessage());
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            // Never throw here: Paho would drop the connection and the broker redeliver the message for ever.
            try {
                events.message(topic, message.getPayload());
            } catch (RuntimeException e) {
                Logger.error("uplink: message on {} not handled: {}", topic, e.toString());
            }
        }

        @Override
        public void deliveryComplete(IMqttToken token) {
            // each publish's listener reports it
        }

        @Override
        public void connectComplete(boolean reconnect, String serverURI) {
            // connect() returns instead
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {
            // no enhanced authentication
        }
    }

    @Override
    public String toString() {
        return "MQTT 5 to " + connection.serverUri();
    }
}
