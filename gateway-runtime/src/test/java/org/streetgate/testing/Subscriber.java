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
    private final LinkedBlockingQueue<Received> queue = new LinkedBlockingQueue<>();

    public Subscriber(String uri, String filter) throws MqttException {
        client = new MqttClient(uri, "test-" + UUID.randomUUID(), new MemoryPersistence());
        MqttConnectOptions o = new MqttConnectOptions();
        o.setCleanSession(true);
        o.setMaxInflight(1000);
        client.connect(o);
        client.subscribe(filter, 1, (topic, msg) -> {
            String raw = new String(msg.getPayload(), StandardCharsets.UTF_8);
            queue.add(new Received(topic, JSON.readTree(raw), msg.isRetained(), raw));
        });
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
