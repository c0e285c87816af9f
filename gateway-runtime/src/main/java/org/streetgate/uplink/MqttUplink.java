package org.streetgate.uplink;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.streetgate.drivers.spi.Backoff;
import org.streetgate.outbox.Kind;
import org.streetgate.outbox.RecordJson;
import org.streetgate.outbox.Row;
import org.streetgate.outbox.SqliteOutbox;
import org.streetgate.profile.Profile;
import org.tinylog.Logger;

/**
 * Drains the outbox to the platform over MQTT at QoS 1 and receives commands.
 *
 * <p>Rows are read in seq order, several messages may await PUBACK at once, and a row is deleted
 * only after the broker acknowledged the message carrying it. Results and events go before any
 * telemetry backlog. The client id is stable and the session persistent, so commands sent while
 * the gateway was away are delivered when it returns. Every connect publishes the retained
 * {@code online} birth; the will and a clean stop publish {@code offline}.
 */
public final class MqttUplink implements AutoCloseable {
    private final Profile.Platform settings;
    private final String serverUri;
    private final Topics topics;
    private final SqliteOutbox outbox;
    private final String gatewayId;
    private final Supplier<String> birth;
    private final Supplier<String> death;
    private final Consumer<byte[]> commands;
    private final MqttAsyncClient client;
    private final MqttConnectOptions options;
    private final RateLimiter rate;
    private final AtomicLong[] cursor = new AtomicLong[Kind.values().length];
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong messages = new AtomicLong();
    private final AtomicLong records = new AtomicLong();
    private final AtomicLong connects = new AtomicLong();
    private final AtomicLong connectFailures = new AtomicLong();
    private volatile long lastSyncMillis;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private volatile boolean running;
    private volatile boolean signalled;
    /** Set once this connection's birth went out: records never precede the birth. */
    private volatile boolean born;
    private volatile String lastError;
    private volatile Thread connector;
    private volatile Thread drainer;
    private final RateMeter meter = new RateMeter();

    /**
     * @param serverUri the broker address (the embedded broker's, or the profile's url)
     * @param birth     the retained payload published on every connect
     * @param death     the retained payload of the will and of a clean stop
     * @param commands  receives each {@code cmd} payload, on a virtual thread
     */
    public MqttUplink(Profile.Platform settings, String serverUri, String gatewayId, SqliteOutbox outbox,
                      Supplier<String> birth, Supplier<String> death, Consumer<byte[]> commands,
                      MqttConnectOptions options) {
        this.settings = settings;
        this.serverUri = serverUri;
        this.gatewayId = gatewayId;
        this.topics = new Topics(settings.topicPrefix(), gatewayId);
        this.outbox = outbox;
        this.birth = birth;
        this.death = death;
        this.commands = commands;
        this.rate = new RateLimiter(settings.maxMessagesPerSecond());
        for (int i = 0; i < cursor.length; i++) {
            cursor[i] = new AtomicLong();
        }
        try {
            this.client = new MqttAsyncClient(serverUri, "streetgate-" + gatewayId, new MemoryPersistence());
        } catch (MqttException e) {
            throw new IllegalArgumentException("bad platform url " + serverUri + ": " + e.getMessage(), e);
        }
        this.options = options;
        options.setCleanSession(false);
        options.setAutomaticReconnect(false); // our own loop: exponential backoff with full jitter
        options.setKeepAliveInterval((int) settings.keepAlive().toSeconds());
        options.setMaxInflight(Math.max(settings.maxInFlight(), 10) + 5);
        options.setConnectionTimeout(10);
        options.setWill(topics.state(), death.get().getBytes(StandardCharsets.UTF_8), 1, true);
        if (serverUri.startsWith("tcp://")) {
            options.setSocketFactory(new NoDelaySockets(javax.net.SocketFactory.getDefault()));
        }
        client.setCallback(new Callback());
        outbox.onCommit(this::signal);
    }

    public Topics topics() {
        return topics;
    }

    public void start() {
        running = true;
        connector = Thread.ofVirtual().name("uplink-connect").start(this::connectLoop);
        drainer = Thread.ofVirtual().name("uplink-drain").start(this::drainLoop);
    }

    public boolean connected() {
        return client.isConnected();
    }

    public UplinkStats stats() {
        return new UplinkStats(client.isConnected(), messages.get(), records.get(), connects.get(),
                connectFailures.get(), lastError, meter.perSecond(), lastSyncMillis);
    }

    /** Publishes outside the outbox (health): dropped when offline, since the next one replaces it. */
    public boolean publishDirect(String topic, String payload) {
        if (!client.isConnected()) {
            return false;
        }
        try {
            client.publish(topic, payload.getBytes(StandardCharsets.UTF_8), 1, false);
            return true;
        } catch (MqttException e) {
            Logger.debug("uplink: {} not published: {}", topic, e.getMessage());
            return false;
        }
    }

    /** Wakes the drain loop: new rows, a PUBACK, or a connection change. */
    public void signal() {
        lock.lock();
        try {
            signalled = true;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void await(Duration max) throws InterruptedException {
        lock.lock();
        try {
            if (!signalled) {
                wake.awaitNanos(max.toNanos());
            }
            signalled = false;
        } finally {
            lock.unlock();
        }
    }

    private void connectLoop() {
        Backoff backoff = new Backoff(settings.reconnectMin(), settings.reconnectMax());
        while (running) {
            try {
                if (client.isConnected()) {
                    await(Duration.ofSeconds(1));
                    continue;
                }
                try {
                    client.connect(options).waitForCompletion(15_000);
                    backoff.reset();
                } catch (MqttException e) {
                    connectFailures.incrementAndGet();
                    ConnectFailure failure = ConnectFailure.of(e, serverUri, settings);
                    lastError = failure.reason();
                    Duration wait = switch (failure) {
                        case ConnectFailure.Misconfigured m -> {
                            // Wrong credentials or certificates do not fix themselves: retry slowly, do not hammer the broker.
                            Logger.error("uplink: {}; retrying in {} s", m.reason(), settings.reconnectMax().toSeconds());
                            yield settings.reconnectMax();
                        }
                        case ConnectFailure.Unreachable u -> {
                            Duration next = backoff.next();
                            Logger.warn("uplink: {}; retrying in {} ms", u.reason(), next.toMillis());
                            yield next;
                        }
                    };
                    Thread.sleep(wait);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void onConnected(boolean reconnect) {
        born = false;
        connects.incrementAndGet();
        lastError = null;
        try {
            // Birth only after the broker granted the cmd subscription: a platform that sees
            // "online" can send a command at once and it will be heard.
            client.subscribe(topics.cmd(), 1, null, new IMqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    try {
                        client.publish(topics.state(), birth.get().getBytes(StandardCharsets.UTF_8), 1, true);
                        born = true;
                        signal();
                    } catch (MqttException e) {
                        Logger.warn("uplink: birth not published: {}", e.getMessage());
                    }
                }

                @Override
                public void onFailure(IMqttToken token, Throwable error) {
                    lastError = "subscribe to " + topics.cmd() + " refused: " + error.getMessage();
                    Logger.warn("uplink: {}", lastError);
                }
            });
        } catch (MqttException e) {
            Logger.warn("uplink: subscribe failed: {}", e.getMessage());
        }
        Logger.info("uplink: connected to {} as streetgate-{}", serverUri, gatewayId);
        signal();
    }

    private void drainLoop() {
        while (running) {
            try {
                if (!client.isConnected() || !born || inFlight.get() >= settings.maxInFlight()) {
                    await(Duration.ofMillis(200));
                    continue;
                }
                if (!publishNext()) {
                    await(Duration.ofSeconds(1));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                Logger.error(e, "uplink: drain failed: {}", e.getMessage());
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    /** Publishes one message of the highest-priority kind that has rows; false when all are empty. */
    private boolean publishNext() throws InterruptedException {
        for (Kind kind : Kind.values()) {
            AtomicLong after = cursor[kind.ordinal()];
            int max = kind == Kind.RESULT ? 1 : settings.batchRecords();
            long from = after.get();
            List<Row> rows = outbox.read(kind, from, max, settings.batchBytes());
            if (rows.isEmpty()) {
                continue;
            }
            rate.acquire();
            long first = rows.getFirst().seq();
            long last = rows.getLast().seq();
            if (!after.compareAndSet(from, last)) {
                return true; // a failed publish rewound the cursor meanwhile: read again from there
            }
            byte[] payload = payload(kind, rows);
            inFlight.incrementAndGet();
            try {
                client.publish(topics.of(kind), payload, 1, false, null, new IMqttActionListener() {
                    @Override
                    public void onSuccess(IMqttToken token) {
                        Logger.trace("uplink: PUBACK for {} {}..{}", kind, first, last);
                        outbox.delete(kind, first, last);
                        lastSyncMillis = System.currentTimeMillis();
                        messages.incrementAndGet();
                        records.addAndGet(rows.size());
                        meter.add(rows.size());
                        inFlight.decrementAndGet();
                        signal();
                    }

                    @Override
                    public void onFailure(IMqttToken token, Throwable error) {
                        Logger.debug("uplink: publish of {} {}..{} failed: {}", kind, first, last, error.getMessage());
                        rewind(kind, first);
                        inFlight.decrementAndGet();
                        signal();
                    }
                });
            } catch (MqttException e) {
                rewind(kind, first);
                inFlight.decrementAndGet();
                Logger.debug("uplink: publish refused: {}", e.getMessage());
                await(Duration.ofMillis(100));
            }
            return true;
        }
        return false;
    }

    /** After a failed publish, read again from its first row (later rows may go out twice). */
    private void rewind(Kind kind, long firstSeq) {
        cursor[kind.ordinal()].accumulateAndGet(firstSeq - 1, Math::min);
    }

    private byte[] payload(Kind kind, List<Row> rows) {
        StringBuilder sb = new StringBuilder(rows.size() * 96 + 64);
        if (kind == Kind.RESULT) {
            RecordJson.appendRecord(sb, rows.getFirst(), false);
        } else {
            sb.append("{\"gateway\":\"").append(gatewayId).append("\",\"records\":[");
            for (int i = 0; i < rows.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                RecordJson.appendRecord(sb, rows.get(i), true);
            }
            sb.append("]}");
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Publishes {@code offline} and disconnects; rows not yet acknowledged stay in the outbox. */
    @Override
    public void close() {
        running = false;
        if (connector != null) {
            connector.interrupt();
        }
        if (drainer != null) {
            drainer.interrupt();
        }
        try {
            if (client.isConnected()) {
                client.publish(topics.state(), death.get().getBytes(StandardCharsets.UTF_8), 1, true)
                        .waitForCompletion(5_000);
                client.disconnect(1_000).waitForCompletion(3_000);
            }
        } catch (MqttException e) {
            Logger.warn("uplink: clean disconnect failed: {}", e.getMessage());
        }
        try {
            client.close(true);
        } catch (MqttException e) {
            Logger.debug("uplink: close: {}", e.getMessage());
        }
    }

    private final class Callback implements MqttCallbackExtended {
        @Override
        public void connectComplete(boolean reconnect, String serverURI) {
            onConnected(reconnect);
        }

        @Override
        public void connectionLost(Throwable cause) {
            born = false;
            lastError = "connection lost: " + (cause == null ? "unknown" : cause.getMessage());
            Logger.warn("uplink: {}", lastError);
            signal();
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            byte[] payload = message.getPayload();
            Thread.ofVirtual().name("cmd").start(() -> commands.accept(payload));
        }

        @Override
        public void deliveryComplete(IMqttDeliveryToken token) {
            // handled by each publish's listener
        }
    }

    /** Records per second over the last ten seconds. */
    private static final class RateMeter {
        private final long[] buckets = new long[10];
        private long bucketSecond;

        synchronized void add(long n) {
            roll();
            buckets[(int) (bucketSecond % buckets.length)] += n;
        }

        synchronized double perSecond() {
            roll();
            long sum = 0;
            for (long b : buckets) {
                sum += b;
            }
            return sum / (double) buckets.length;
        }

        private void roll() {
            long now = System.nanoTime() / 1_000_000_000L;
            if (bucketSecond == 0) {
                bucketSecond = now;
            }
            while (bucketSecond < now) {
                bucketSecond++;
                buckets[(int) (bucketSecond % buckets.length)] = 0;
            }
        }
    }
}
