package org.streetgate.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/** The platform's side in tests: subscribes to a gateway's topics and collects what arrives. */
public final class Subscriber implements AutoCloseable {
    public record Received(String topic, JsonNode json, boolean retained, String raw) {}

    private static final ObjectMapper JSON = new ObjectMapper();
    private final MqttClient client;
    private final String filter;
    private final LinkedBlockingQueue<Received> queue = new LinkedBlockingQueue<>();

    public Subscriber(String uri, String filter) throws MqttException {
        this.filter = filter;
        client = new MqttClient(uri, "test-" + UUID.randomUUID(), new MemoryPersistence());
        connect();
    }

    /** A persistent session: messages queued for it while it is away are delivered when it returns. */
    private void connect() throws MqttException {
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(false);
        o.setMaxInflight(1000);
        o.setSocketFactory(new org.streetgate.uplink.NoDelaySockets(javax.net.SocketFactory.getDefault()));
        // One callback for the client, set before connecting: a resumed session delivers what was
        // queued for it right after CONNACK, before any subscribe call could register a listener.
        client.setCallback(new MqttCallback() {
            @Override
            public void connectionLost(Throwable cause) {
                // tests reconnect explicitly
            }

            @Override
            public void messageArrived(String topic, MqttMessage msg) throws Exception {
                String raw = new String(msg.getPayload(), StandardCharsets.UTF_8);
                // A signed command on cmd is a JWS, not JSON: keep it raw (a throw here would drop the connection).
                JsonNode json;
                try {
                    json = JSON.readTree(raw);
                } catch (java.io.IOException e) {
                    json = com.fasterxml.jackson.databind.node.MissingNode.getInstance();
                }
                queue.add(new Received(topic, json, msg.isRetained(), raw));
            }

            @Override
            public void deliveryComplete(IMqttDeliveryToken token) {
                // publishes are waited for synchronously
            }
        });
        client.connect(o);
        client.subscribe(filter, 1);
    }

    /**
     * Leaves without ending the session: the broker queues what arrives meanwhile. Tests call it
     * before stopping the broker, so that nothing is mid-delivery to this client when it stops.
     */
    public void pause() throws MqttException {
        if (client.isConnected()) {
            client.disconnect();
        }
    }

    /** Connects again after the broker was restarted. */
    public void reconnect() throws MqttException {
        if (client.isConnected()) {
            client.disconnect();
        }
        connect();
    }

    public int pending() {
        return queue.size();
    }

    /** The next message on any topic, or null after {@code timeout}. */
    public Received poll(Duration timeout) throws InterruptedException {
        return queue.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    public void publish(String topic, String payload) throws MqttException {
        client.publish(topic, new MqttMessage(payload.getBytes(StandardCharsets.UTF_8)) {{ setQos(1); }});
    }

    /** The next message on a topic ending with {@code suffix}, skipping others. */
    public Received next(String suffix, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Received r = queue.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (r == null) {
                throw new AssertionError("nothing on *" + suffix + " within " + timeout);
            }
            if (r.topic().endsWith(suffix)) {
                return r;
            }
        }
    }

    /**
     * Waits for the gateway's {@code online} birth. The uplink publishes it only after the broker
     * granted its {@code cmd} subscription, so from here on a command published is heard.
     */
    public JsonNode awaitBirth(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            JsonNode state = next("/state", Duration.ofNanos(Math.max(1, deadline - System.nanoTime()))).json();
            if ("online".equals(state.path("state").asText())) {
                return state;
            }
        }
    }

    /**
     * Collects every record on {@code suffix} until the gateway says {@code offline} (its clean stop),
     * so a record sent twice anywhere before the stop is counted, not missed.
     */
    public List<JsonNode> recordsUntilOffline(String suffix, Duration timeout) throws InterruptedException {
        List<JsonNode> out = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            Received r = left <= 0 ? null : poll(Duration.ofNanos(left));
            if (r == null) {
                throw new AssertionError("no offline state within " + timeout + " (" + out.size() + " records so far)");
            }
            if (r.topic().endsWith(suffix)) {
                r.json().get("records").forEach(out::add);
            } else if (r.topic().endsWith("/state") && "offline".equals(r.json().path("state").asText())) {
                return out;
            }
        }
    }

    /** Collects telemetry or event records until {@code count} have arrived. */
    public List<JsonNode> records(String suffix, int count, Duration timeout) throws InterruptedException {
        List<JsonNode> out = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (out.size() < count) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("expected " + count + " records on *" + suffix + ", got " + out.size());
            }
            Received r = next(suffix, Duration.ofNanos(left));
            r.json().get("records").forEach(out::add);
        }
        return out;
    }

    @Override
    public void close() throws MqttException {
        if (client.isConnected()) {
            client.disconnect();
        }
        client.close();
    }
}
