package org.streetgate.uplink;

import java.time.Duration;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.tinylog.Logger;

/**
 * MQTT 3.1.1 through Paho mqttv3. The protocol cannot refuse a publish (a broker that denies one
 * still sends a plain PUBACK) and cannot bound what the broker sends: Paho allocates each incoming
 * packet whole, up to the 256 MB the protocol allows. Use it for brokers without MQTT 5 only.
 */
final class PahoV3Transport implements MqttTransport {
    private final MqttTransport.Connection connection;
    private final MqttAsyncClient client;
    private final MqttConnectOptions options = new MqttConnectOptions();
    private volatile Events events;

    PahoV3Transport(MqttTransport.Connection c) {
        this.connection = c;
        try {
            this.client = new MqttAsyncClient(c.serverUri(), c.clientId(), new MemoryPersistence());
        } catch (MqttException e) {
            throw new IllegalArgumentException("bad platform url " + c.serverUri() + ": " + e.getMessage(), e);
        }
        var settings = c.settings();
        options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
        options.setCleanSession(false); // commands sent while away are delivered on return
        options.setAutomaticReconnect(false); // the uplink's own loop: backoff with full jitter
        options.setKeepAliveInterval((int) settings.keepAlive().toSeconds());
        options.setMaxInflight(Math.max(settings.maxInFlight(), 10) + 5); // + birth and health
        options.setConnectionTimeout(10);
        options.setWill(c.willTopic(), c.will(), 1, true);
        c.username().ifPresent(options::setUserName);
        c.password().ifPresent(p -> options.setPassword(new String(p, java.nio.charset.StandardCharsets.UTF_8).toCharArray()));
        c.socketFactory().ifPresent(options::setSocketFactory);
        client.setCallback(new Callback());
    }

    @Override
    public Granted connect(Events events) throws TransportException {
        this.events = events;
        try {
            client.connect(options).waitForCompletion(15_000);
        } catch (MqttException e) {
            // A connect cut short must not leave the client "connecting": the next one would be refused.
            try {
                client.disconnectForcibly(0, 1_000, false);
            } catch (MqttException | RuntimeException reset) {
                Logger.debug("uplink: reset after a failed connect: {}", reset.getMessage());
            }
            throw failure("connect", e);
        }
        return new Granted(options.getMaxInflight(), Duration.ofSeconds(options.getKeepAliveInterval()));
    }

    private static TransportException failure(String what, MqttException e) {
        int code = e.getReasonCode();
        boolean refused = code == MqttException.REASON_CODE_FAILED_AUTHENTICATION || code == MqttException.REASON_CODE_NOT_AUTHORIZED;
        return new TransportException(what + " failed: " + e.getMessage(), e, refused);
    }

    @Override
    public boolean connected() {
        return client.isConnected();
    }

    @Override
    public void subscribe(String filter, Outcome outcome) throws TransportException {
        try {
            client.subscribe(filter, 1, null, new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    int[] granted = token.getGrantedQos();
                    outcome.answered(granted == null || granted.length == 0 ? 0 : granted[0], null);
                }

                @Override
                public void onFailure(IMqttToken token, Throwable error) {
                    outcome.failed(error);
                }
            });
        } catch (MqttException e) {
            throw failure("subscribe", e);
        }
    }

    @Override
    public void publish(String topic, byte[] payload, boolean retained, Outcome outcome) throws TransportException {
        try {
            client.publish(topic, payload, 1, retained, null, new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    outcome.answered(0, null);
                }

                @Override
                public void onFailure(IMqttToken token, Throwable error) {
                    outcome.failed(error);
                }
            });
        } catch (MqttException e) {
            throw failure("publish", e);
        }
    }

    @Override
    public int maxPayload() {
        return 256 * 1024 * 1024 - 1024; // the protocol's remaining-length limit, less the headers
    }

    @Override
    public boolean abortKeepsMessages() {
        return false;
    }

    @Override
    public void abort() {
        try {
            // No DISCONNECT packet: to the broker this is a lost connection, so the will goes out.
            client.disconnectForcibly(0, 1_000, false);
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

    private final class Callback implements MqttCallbackExtended {
        @Override
        public void connectComplete(boolean reconnect, String serverURI) {
            // connect() returns instead
        }

        @Override
        public void connectionLost(Throwable cause) {
            events.connectionLost(cause == null ? "unknown" : String.valueOf(cause.getMessage()));
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
        public void deliveryComplete(IMqttDeliveryToken token) {
            // each publish's listener reports it
        }
    }

    @Override
    public String toString() {
        return "MQTT 3.1.1 to " + connection.serverUri();
    }
}
