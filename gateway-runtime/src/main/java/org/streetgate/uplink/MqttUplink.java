package org.streetgate.uplink;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;
import javax.net.SocketFactory;
import org.streetgate.drivers.spi.Backoff;
import org.streetgate.drivers.spi.Message;
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
 * only after the broker acknowledged the message carrying it. On MQTT 5 a PUBACK with a reason code
 * of 0x80 or more is a refusal, not a delivery: the rows stay, the batch is held and tried again at
 * {@code reconnect-max}, and the refusal shows in health and in one {@code uplink.refused} alarm per
 * reason. Results and events go before any telemetry backlog. The client id is stable and the
 * session persistent, so commands sent while the gateway was away are delivered when it returns.
 * Every connect publishes the retained {@code online} birth; the will and a clean stop publish
 * {@code offline}. Messages in flight with no PUBACK for {@code ack-timeout} mean a wedged
 * connection: it is dropped and made again.
 */
public final class MqttUplink implements AutoCloseable {
    /** MQTT 5 reason codes a broker may put in a PUBACK (MQTT 5.0 section 3.4.2.1), by name for health. */
    private static final Map<Integer, String> PUBACK_REASONS = Map.of(
            0x80, "unspecified error", 0x83, "implementation specific error", 0x87, "not authorized",
            0x90, "topic name invalid", 0x91, "packet identifier in use", 0x97, "quota exceeded",
            0x99, "payload format invalid", 0x95, "packet too large");
    private final Profile.Platform settings;
    private final String serverUri;
    private final Topics topics;
    private final SqliteOutbox outbox;
    private final String gatewayId;
    private final Supplier<String> birth;
    private final Supplier<String> death;
    private final Consumer<byte[]> commands;
    private final Consumer<Message.Event> alarms;
    private final MqttTransport transport;
    private final RateLimiter rate;
    private final AtomicLong[] cursor = new AtomicLong[Kind.values().length];
    /** Per kind: a refused batch is not tried again before this {@code nanoTime}. */
    private final AtomicLong[] heldUntil = new AtomicLong[Kind.values().length];
    private final Map<Kind, Refusal> refusals = new ConcurrentHashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicLong messages = new AtomicLong();
    private final AtomicLong records = new AtomicLong();
    private final AtomicLong connects = new AtomicLong();
    private final AtomicLong connectFailures = new AtomicLong();
    private final AtomicLong stalls = new AtomicLong();
    private final AtomicLong inbound = new AtomicLong();
    /** Publishes the client itself would not send (e.g. more in flight than the broker's Receive Maximum). */
    private final AtomicLong sendRefusals = new AtomicLong();
    private final AtomicLong inboundLargest = new AtomicLong();
    private volatile long lastSyncMillis;
    /** {@code nanoTime} of the last PUBACK, connect, or first message put in flight: the watchdog's clock. */
    private volatile long progressNanos = System.nanoTime();
    private volatile MqttTransport.Granted granted;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private volatile boolean running;
    private volatile boolean signalled;
    /** Set once this connection's birth went out: records never precede the birth. */
    private volatile boolean born;
    private volatile String lastError;
    /** lastError is the watchdog's: kept through the reconnect until a PUBACK comes. */
    private volatile boolean stalled;
    private volatile Thread connector;
    private volatile Thread drainer;
    private final RateMeter meter = new RateMeter();

    /**
     * One refused topic, for health.
     *
     * @param count messages refused since the refusal began (the same batch tried again counts again)
     */
    public record Refusal(String topic, int code, String reason, long count, long sinceMillis) {
        public String codeHex() {
            return String.format("0x%02X", code);
        }
    }

    /**
     * @param serverUri    the broker address (the embedded broker's, or the profile's url)
     * @param dataDir      relative password-file and TLS paths are resolved against it
     * @param simulateAll  {@code --simulate}: a missing password-file is a warning, not an error
     * @param birth        the retained payload published on every connect
     * @param death        the retained payload of the will and of a clean stop
     * @param commands     receives each {@code cmd} payload, on a virtual thread
     * @param alarms       stores an alarm event (the {@code uplink.refused} alarm); must not block
     */
    public MqttUplink(Profile.Platform settings, String serverUri, Path dataDir, boolean simulateAll, String gatewayId,
                      SqliteOutbox outbox, Supplier<String> birth, Supplier<String> death, Consumer<byte[]> commands,
                      Consumer<Message.Event> alarms) {
        this.settings = settings;
        this.serverUri = serverUri;
        this.gatewayId = gatewayId;
        this.topics = new Topics(settings.topicPrefix(), gatewayId);
        this.outbox = outbox;
        this.birth = birth;
        this.death = death;
        this.commands = commands;
        this.alarms = alarms;
        this.rate = new RateLimiter(settings.maxMessagesPerSecond());
        for (int i = 0; i < cursor.length; i++) {
            cursor[i] = new AtomicLong();
            heldUntil[i] = new AtomicLong(System.nanoTime()); // compared by difference, as nanoTime must be
        }
        MqttTransport.Connection c = connection(settings, serverUri, dataDir, simulateAll, "streetgate-" + gatewayId,
                topics.state(), death.get().getBytes(StandardCharsets.UTF_8));
        this.transport = switch (settings.protocol()) {
            case MQTT_5 -> new PahoV5Transport(c);
            case MQTT_3_1_1 -> new PahoV3Transport(c);
        };
        outbox.onCommit(this::signal);
    }

    /** The connect settings from the profile: credentials from the password-file, TLS from the data dir. */
    static MqttTransport.Connection connection(Profile.Platform p, String serverUri, Path dataDir, boolean simulateAll,
                                              String clientId, String willTopic, byte[] will) {
        Optional<byte[]> password = p.passwordFile().flatMap(f -> {
            Path file = dataDir.resolve(f);
            if (simulateAll && !Files.exists(file)) {
                // Trying a real profile on a laptop: run the devices, and let the uplink retry.
                Logger.warn("--simulate: platform password-file {} not found; connecting without a password", file);
                return Optional.empty();
            }
            try {
                return Optional.of(Files.readString(file, StandardCharsets.UTF_8).strip().getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new IllegalStateException("cannot read platform password-file " + file + ": " + e.getMessage(), e);
            }
        });
        Optional<SocketFactory> sockets = serverUri.startsWith("ssl://")
                ? Optional.of(TlsContexts.socketFactory(p.tls(), dataDir))
                : serverUri.startsWith("tcp://") ? Optional.of(new NoDelaySockets(SocketFactory.getDefault())) : Optional.empty();
        return new MqttTransport.Connection(serverUri, clientId, p.username(), password, sockets, willTopic, will, p);
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
        return transport.connected();
    }

    public UplinkStats stats() {
        List<Refusal> refused = new ArrayList<>();
        for (Kind kind : Kind.values()) {
            Refusal r = refusals.get(kind);
            if (r != null) {
                refused.add(r);
            }
        }
        return new UplinkStats(transport.connected(), messages.get(), records.get(), connects.get(),
                connectFailures.get(), lastError, meter.perSecond(), lastSyncMillis, settings.protocol().word(),
                List.copyOf(refused), refusals.containsKey(Kind.EVENT), stalls.get(), inbound.get(), inboundLargest.get(),
                Optional.ofNullable(granted), sendRefusals.get());
    }

    /** Publishes outside the outbox (health): dropped when offline, since the next one replaces it. */
    public boolean publishDirect(String topic, String payload) {
        if (!transport.connected()) {
            return false;
        }
        try {
            transport.publish(topic, payload.getBytes(StandardCharsets.UTF_8), false, new MqttTransport.Outcome() {
                @Override
                public void answered(int reasonCode, String reasonString) {
                    if (reasonCode >= 0x80) {
                        Logger.debug("uplink: {} refused by the broker: {}", topic, reasonName(reasonCode));
                    }
                }

                @Override
                public void failed(Throwable error) {
                    Logger.debug("uplink: {} not published: {}", topic, error.getMessage());
                }
            });
            return true;
        } catch (MqttTransport.TransportException e) {
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
                if (transport.connected()) {
                    watchdog();
                    await(Duration.ofSeconds(1));
                    continue;
                }
                try {
                    granted = transport.connect(events);
                    backoff.reset();
                    onConnected();
                } catch (MqttTransport.TransportException e) {
                    connectFailures.incrementAndGet();
                    ConnectFailure failure = ConnectFailure.of(e.credentialsRefused(), e.getCause(), serverUri, settings);
                    // After a watchdog drop, its reason stays first: it is why this connect happens.
                    lastError = stalled && lastError != null ? lastError.replaceFirst(" \\(then: .*\\)$", "")
                            + " (then: " + failure.reason() + ")" : failure.reason();
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

    /**
     * Messages in flight and no PUBACK for {@code ack-timeout}: the connection is wedged (a broker
     * or a middlebox that stopped answering while TCP and pings still pass). Drop it; the messages
     * in flight are sent again on the new connection.
     */
    private void watchdog() {
        int waiting = inFlight.get();
        long quietNanos = System.nanoTime() - progressNanos;
        if (waiting > 0 && quietNanos > settings.ackTimeout().toNanos()) {
            if (!transport.abortKeepsMessages()) {
                if (!stalled) {
                    stalls.incrementAndGet();
                    stalled = true;
                    lastError = "no PUBACK for " + TimeUnit.NANOSECONDS.toSeconds(quietNanos) + " s with " + waiting
                            + " messages in flight (MQTT 3.1.1: not reconnecting, which could lose a message)";
                    Logger.warn("uplink: {}", lastError);
                }
                return;
            }
            stalls.incrementAndGet();
            lastError = "no PUBACK for " + TimeUnit.NANOSECONDS.toSeconds(quietNanos) + " s with " + waiting
                    + " messages in flight: reconnecting";
            stalled = true;
            Logger.warn("uplink: {}", lastError);
            born = false;
            transport.abort();
            progressNanos = System.nanoTime();
            signal();
        }
    }

    private final MqttTransport.Events events = new MqttTransport.Events() {
        @Override
        public void connectionLost(String cause) {
            born = false;
            if (stalled) {
                // The watchdog dropped it: its reason stays the one to show until PUBACKs flow again.
                Logger.info("uplink: connection dropped by the PUBACK watchdog ({})", cause);
            } else {
                lastError = "connection lost: " + cause;
                Logger.warn("uplink: {}", lastError);
            }
            signal();
        }

        @Override
        public void message(String topic, byte[] payload) {
            inbound.incrementAndGet();
            inboundLargest.accumulateAndGet(payload.length, Math::max);
            // The router only queues it (in arrival order, per device); it never blocks this thread for long.
            try {
                commands.accept(payload);
            } catch (RuntimeException e) {
                Logger.error("uplink: command not handled: {}", e.toString());
            }
        }
    };

    private void onConnected() {
        born = false;
        connects.incrementAndGet();
        progressNanos = System.nanoTime();
        if (!stalled) {
            lastError = null;
        }
        MqttTransport.Granted g = granted;
        Logger.info("uplink: connected to {} as streetgate-{} over MQTT {} (broker takes {} in flight, keep-alive {} s)",
                serverUri, gatewayId, settings.protocol().word(), g.receiveMaximum(), g.keepAlive().toSeconds());
        try {
            // Birth only after the broker granted the cmd subscription: a platform that sees
            // "online" can send a command at once and it will be heard.
            transport.subscribe(topics.cmd(), new MqttTransport.Outcome() {
                @Override
                public void answered(int reasonCode, String reasonString) {
                    if (reasonCode >= 0x80) {
                        lastError = "subscribe to " + topics.cmd() + " refused: " + reasonName(reasonCode)
                                + " (commands cannot be heard)";
                        Logger.error("uplink: {}", lastError);
                    }
                    publishBirth();
                }

                @Override
                public void failed(Throwable error) {
                    lastError = "subscribe to " + topics.cmd() + " refused: " + error.getMessage();
                    Logger.warn("uplink: {}", lastError);
                }
            });
        } catch (MqttTransport.TransportException e) {
            Logger.warn("uplink: subscribe failed: {}", e.getMessage());
        }
        signal();
    }

    private void publishBirth() {
        try {
            transport.publish(topics.state(), birth.get().getBytes(StandardCharsets.UTF_8), true, new MqttTransport.Outcome() {
                @Override
                public void answered(int reasonCode, String reasonString) {
                    if (reasonCode >= 0x80) {
                        Logger.error("uplink: the broker refused the birth on {}: {}", topics.state(), reasonName(reasonCode));
                    }
                }

                @Override
                public void failed(Throwable error) {
                    Logger.warn("uplink: birth not published: {}", error.getMessage());
                }
            });
            born = true;
            signal();
        } catch (MqttTransport.TransportException e) {
            Logger.warn("uplink: birth not published: {}", e.getMessage());
        }
    }

    /** Messages the drain may have in flight: the profile's limit, within the broker's Receive Maximum. */
    private int inFlightLimit() {
        MqttTransport.Granted g = granted;
        // Two places are left for the birth and health, which Paho counts against the same window.
        int broker = g == null ? settings.maxInFlight() : Math.max(1, g.receiveMaximum() - 2);
        return Math.min(settings.maxInFlight(), broker);
    }

    private void drainLoop() {
        while (running) {
            try {
                if (!transport.connected() || !born || inFlight.get() >= inFlightLimit()) {
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

    /** Publishes one message of the highest-priority kind that has rows; false when all are empty or held. */
    private boolean publishNext() throws InterruptedException {
        long now = System.nanoTime();
        for (Kind kind : Kind.values()) {
            if (heldUntil[kind.ordinal()].get() - now > 0) {
                continue; // refused: tried again at reconnect-max, other kinds go meanwhile
            }
            AtomicLong after = cursor[kind.ordinal()];
            int max = kind == Kind.RESULT ? 1 : settings.batchRecords();
            long from = after.get();
            List<Row> rows = outbox.read(kind, from, max, settings.batchBytes());
            if (rows.isEmpty()) {
                continue;
            }
            byte[] payload = payload(kind, rows);
            while (payload.length > transport.maxPayload() && rows.size() > 1) {
                rows = rows.subList(0, rows.size() / 2); // multi-byte text made the batch bigger than its estimate
                payload = payload(kind, rows);
            }
            long first = rows.getFirst().seq();
            long last = rows.getLast().seq();
            if (payload.length > transport.maxPayload()) {
                // One record bigger than this transport may send: keep it, say so, try again later.
                refused(kind, first, 0x95, "record " + first + " is " + payload.length + " bytes, more than max-inbound allows", 1);
                continue;
            }
            rate.acquire();
            if (!after.compareAndSet(from, last)) {
                return true; // a failed publish rewound the cursor meanwhile: read again from there
            }
            int count = rows.size();
            if (inFlight.getAndIncrement() == 0) {
                progressNanos = System.nanoTime();
            }
            try {
                transport.publish(topics.of(kind), payload, false, new MqttTransport.Outcome() {
                    @Override
                    public void answered(int reasonCode, String reasonString) {
                        progressNanos = System.nanoTime();
                        if (stalled) {
                            stalled = false;
                            lastError = null;
                        }
                        if (reasonCode >= 0x80) {
                            refused(kind, first, reasonCode, reasonString, 1);
                        } else {
                            // 0x10 "no matching subscribers" is a delivery too: the broker took the message.
                            Logger.trace("uplink: PUBACK for {} {}..{}", kind, first, last);
                            outbox.delete(kind, first, last);
                            accepted(kind);
                            lastSyncMillis = System.currentTimeMillis();
                            messages.incrementAndGet();
                            records.addAndGet(count);
                            meter.add(count);
                        }
                        inFlight.decrementAndGet();
                        signal();
                    }

                    @Override
                    public void failed(Throwable error) {
                        Logger.debug("uplink: publish of {} {}..{} failed: {}", kind, first, last, error.getMessage());
                        rewind(kind, first);
                        inFlight.decrementAndGet();
                        signal();
                    }
                });
            } catch (MqttTransport.TransportException e) {
                sendRefusals.incrementAndGet();
                rewind(kind, first);
                inFlight.decrementAndGet();
                Logger.debug("uplink: publish refused: {}", e.getMessage());
                await(Duration.ofMillis(100));
            }
            return true;
        }
        return false;
    }

    /**
     * The broker refused a batch (or it cannot be sent): its rows stay, the kind is held until
     * {@code reconnect-max} has passed, and a new reason is logged and raised as an alarm once.
     */
    private void refused(Kind kind, long firstSeq, int code, String reasonString, int n) {
        rewind(kind, firstSeq);
        heldUntil[kind.ordinal()].set(System.nanoTime() + settings.reconnectMax().toNanos());
        String topic = topics.of(kind);
        String reason = reasonName(code) + (reasonString == null || reasonString.isBlank() ? "" : ": " + reasonString);
        Refusal before = refusals.get(kind);
        boolean changed = before == null || before.code() != code;
        Refusal now = new Refusal(topic, code, reason, changed ? n : before.count() + n,
                changed ? System.currentTimeMillis() : before.sinceMillis());
        refusals.put(kind, now);
        if (!changed) {
            return;
        }
        Logger.error("uplink: the broker refused {} with {} ({}); the records stay in the outbox and are tried again every {} ms",
                topic, now.codeHex(), reason, settings.reconnectMax().toMillis());
        if (kind == Kind.EVENT) {
            Logger.error("uplink: the events topic itself is refused, so the uplink.refused alarm cannot reach the platform;"
                    + " only health (if its topic is allowed) and this log show it");
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("topic", topic);
        data.put("code", code);
        data.put("reason", reason);
        try {
            alarms.accept(new Message.Event("gateway", "uplink.refused", Message.Severity.ALARM, data));
        } catch (RuntimeException e) {
            Logger.error("uplink: uplink.refused alarm not stored: {}", e.getMessage());
        }
    }

    private void accepted(Kind kind) {
        Refusal gone = refusals.remove(kind);
        if (gone != null) {
            Logger.info("uplink: the broker accepts {} again after {} refused messages", gone.topic(), gone.count());
        }
    }

    static String reasonName(int code) {
        return PUBACK_REASONS.getOrDefault(code, "reason") + String.format(" (0x%02X)", code);
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
        if (transport.connected()) {
            CountDownLatch said = new CountDownLatch(1);
            try {
                transport.publish(topics.state(), death.get().getBytes(StandardCharsets.UTF_8), true, new MqttTransport.Outcome() {
                    @Override
                    public void answered(int reasonCode, String reasonString) {
                        said.countDown();
                    }

                    @Override
                    public void failed(Throwable error) {
                        said.countDown();
                    }
                });
                if (!said.await(5, TimeUnit.SECONDS)) {
                    Logger.warn("uplink: no PUBACK for the offline state within 5 s");
                }
            } catch (MqttTransport.TransportException e) {
                Logger.warn("uplink: offline state not published: {}", e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            transport.disconnect(Duration.ofSeconds(1));
        }
        transport.close();
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
