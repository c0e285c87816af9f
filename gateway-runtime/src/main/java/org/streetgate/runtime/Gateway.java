package org.streetgate.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.streetgate.command.CommandLog;
import org.streetgate.command.CommandResult;
import org.streetgate.command.CommandRouter;
import org.streetgate.command.CommandSecurity;
import org.streetgate.drivers.spi.DeviceContext;
import org.streetgate.drivers.spi.DeviceSpec;
import org.streetgate.drivers.spi.DeviceStatus;
import org.streetgate.drivers.spi.Driver;
import org.streetgate.drivers.spi.Message;
import org.streetgate.drivers.spi.Sink;
import org.streetgate.drivers.transport.Hardware;
import org.streetgate.clock.Timestamps;
import org.streetgate.health.HealthReport;
import org.streetgate.kiosk.KioskEnvironment;
import org.streetgate.kiosk.KioskRuntime;
import org.streetgate.outbox.Kind;
import org.streetgate.outbox.RecordJson;
import org.streetgate.outbox.SqliteOutbox;
import org.streetgate.profile.Profile;
import org.streetgate.uplink.EmbeddedBroker;
import org.streetgate.uplink.MqttUplink;
import org.streetgate.update.UpdateService;
import org.tinylog.Logger;

/**
 * A running gateway: the one place where the parts are wired together, in plain code. Start-up
 * order is outbox, broker, uplink, then devices, so nothing a device reports can be lost; shutdown
 * runs the other way.
 */
public final class Gateway implements AutoCloseable {
    private final Profile profile;
    private final Path dataDir;
    private final Timestamps clock;
    private final SqliteOutbox outbox;
    private final CommandLog commandLog;
    private final CommandRouter router;
    private final EmbeddedBroker broker;
    private final MqttUplink uplink;
    private final Hardware hardware = new Hardware();
    private final Map<String, Driver> drivers = new LinkedHashMap<>();
    private final Map<String, DeviceStatus> statuses = new LinkedHashMap<>();
    private final HealthReport health;
    private final AtomicLong readings = new AtomicLong();
    private final AtomicLong events = new AtomicLong();
    private final Glance glance = new Glance();
    private final UpdateService updates;
    private volatile KioskRuntime kiosk;
    private final java.util.concurrent.CompletableFuture<String> restartRequested = new java.util.concurrent.CompletableFuture<>();
    private volatile boolean running = true;
    private Thread healthThread;

    private Gateway(Profile profile, Path dataDir, boolean simulateAll, Clocks clocks) {
        requireDemoExtra(profile, simulateAll); // before anything is opened
        this.profile = profile;
        this.dataDir = dataDir;
        Path storePath = dataDir.resolve(profile.store().path());
        this.outbox = SqliteOutbox.open(storePath, new SqliteOutbox.Settings(profile.store().maxBytes(),
                profile.store().commitWindow(), profile.store().commitRecords(), clocks.bootId()));
        this.clock = new Timestamps(clocks.wall(), clocks.sinceBoot(), clocks.notBefore(),
                offset -> outbox.correctUnsynced(offset).thenAccept(n -> {
                    if (n > 0) {
                        Logger.info("wall clock is now plausible; corrected the times of {} records stamped before it was", n);
                    }
                }));
        clock.inBoot(clocks.bootId()).rememberIn(dataDir.resolve("clock.last"), java.time.Duration.ofMinutes(10));
        this.commandLog = new CommandLog(dataDir.resolve("commands.db"));
        this.router = new CommandRouter(commandLog, clock::wallNow, this::storeResult,
                new CommandSecurity(profile.security(), profile.gateway().id(), clock::wallNow, clock::plausible,
                        clocks.sinceBoot()));
        Profile.Platform platform = profile.platform();
        this.broker = platform.embedded() ? EmbeddedBroker.start() : null;
        String uri = broker != null ? broker.uri() : platform.url();
        this.uplink = new MqttUplink(platform, uri, dataDir, simulateAll, profile.gateway().id(), outbox,
                () -> stateJson("online"), () -> stateJson("offline"), router::handle, this::storeAlarmAsync);
        for (Profile.Device<?> device : profile.devices()) {
            statuses.put(device.id(), new DeviceStatus());
        }
        this.health = new HealthReport(outbox, profile.store().maxBytes(), uplink::stats, statuses, clock::wallNow);
        router.register("gateway", new GatewayCommands(this));
        health.section("commands", router::stats);
        this.updates = profile.updates().map(u -> new UpdateService(u, profile.gateway().model(), Version.current(),
                this::recordOrFail, () -> restartRequested.complete("update staged"))).orElse(null);
        if (updates != null) {
            router.register("ota", updates);
            health.section("ota", updates::status);
        }
        String kioskLocker = profile.kiosk().map(k -> k.locker()).orElse(null);
        for (Profile.Device<?> device : profile.devices()) {
            Driver driver = create(device, simulateAll);
            drivers.put(device.id(), driver);
            router.register(device.id(), device.id().equals(kioskLocker) ? kioskOwned(device.id(), driver) : driver::execute);
        }
    }

    /**
     * A kiosk's locker answers {@code status} over {@code cmd}, but its doors open only through the
     * kiosk, whose {@code open-door} is audited with reason {@code remote-command}: a raw
     * {@code open} with a caller-chosen reason would leave no kiosk audit trail.
     */
    private static org.streetgate.command.CommandTarget kioskOwned(String locker, Driver driver) {
        return command -> {
            if (!CommandSecurity.READ_ONLY.contains(command.action())) {
                throw new org.streetgate.drivers.spi.CommandException(org.streetgate.drivers.spi.CommandException.Kind.REFUSED,
                        locker + " " + command.action() + " is not reachable over cmd: the doors of " + locker
                                + " belong to the kiosk; use device kiosk, action open-door (audited)");
            }
            return driver.execute(command);
        };
    }

    /**
     * The clocks a gateway reads, injectable for tests.
     *
     * @param notBefore the earliest plausible wall-clock time (the build time)
     * @param bootId    identifies this boot, so boot-relative stamps are only corrected within it
     */
    public record Clocks(LongSupplier wall, LongSupplier sinceBoot, long notBefore, long bootId) {
        public static Clocks system() {
            return new Clocks(System::currentTimeMillis, Timestamps.sinceBoot(), Version.buildTimeMillis(),
                    Timestamps.bootId());
        }
    }

    /** Opens the outbox, connects, and starts every device of the profile. */
    public static Gateway start(Profile profile, Path dataDir, boolean simulateAll) {
        return start(profile, dataDir, simulateAll, Clocks.system());
    }

    public static Gateway start(Profile profile, Path dataDir, boolean simulateAll, Clocks clock) {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create data directory " + dataDir + ": " + e.getMessage(), e);
        }
        org.streetgate.profile.SecretFiles.check(profile, dataDir); // before any secret is read
        Gateway g = new Gateway(profile, dataDir, simulateAll, clock);
        g.startParts();
        return g;
    }

    private void startParts() {
        Logger.info("gateway {} ({}), data in {}", profile.gateway().id(), profile.gateway().model(), dataDir.toAbsolutePath());
        if (!clock.plausible()) {
            Logger.warn("the wall clock is before this build was made: records are marked unsynced until it is set");
        }
        if (profile.security().enforced()) {
            Logger.info("commands: actuation needs a signature from one of {} platform key(s)", profile.security().keys().size());
        } else {
            Logger.warn("commands: no security.command-keys in the profile, so actuation is unauthenticated:"
                    + " anyone who can publish to {} can open doors and switch outputs", uplink.topics().cmd());
        }
        profile.warnings().forEach(w -> Logger.warn("profile: {}", w));
        outbox.recovery().ifPresent(r -> {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("reason", r.reason());
            if (r.movedTo() != null) {
                data.put("moved_to", r.movedTo().toString());
            }
            data.put("seq_resumed_after", r.resumedAfterSeq());
            recordOrFail(new Message.Event("gateway", "store.recovered", Message.Severity.ALARM, data));
        });
        outbox.onEviction(counts -> {
            Map<String, Object> data = new LinkedHashMap<>();
            counts.forEach((kind, n) -> data.put(kind.table(), n));
            outbox.evicted().forEach((kind, n) -> data.put(kind.table() + "_total", n));
            data.put("max_bytes", profile.store().maxBytes());
            // Called on the outbox's writer thread: queue the event, never wait for it here.
            var stamp = clock.now();
            outbox.appendAsync(Kind.EVENT, stamp.ts(), stamp.unsynced(), stamp.sinceBootMs(),
                    RecordJson.body(new Message.Event("gateway", "store.evicted", Message.Severity.WARNING, data)), false);
        });
        if (broker != null) {
            Logger.info("embedded MQTT broker on {} (demo only); watch the stream with: {} (Debian package mosquitto-clients)",
                    broker.uri(), broker.watchCommand(profile.platform().topicPrefix()));
        }
        uplink.start();
        drivers.forEach((id, driver) -> {
            driver.start();
            Profile.Device<?> d = device(id);
            Logger.info("device {} started: {}{}", id, d.spec().driver(),
                    d.spec().simulated() ? " (simulated)" : d.spec().serial().map(s -> " on " + s.port()).orElse(""));
        });
        profile.kiosk().ifPresent(settings -> {
            kiosk = KioskRuntime.start(settings, new KioskEnvironment(dataDir, sink(), drivers::get, uplink::connected,
                    health::snapshot, clock::expiryNow, Version.current(), profile.security().enforced()));
            router.register("kiosk", kiosk);
            health.section("kiosk", kiosk::health);
        });
        healthThread = Thread.ofVirtual().name("health").start(this::healthLoop);
        if (updates != null) {
            confirmHealthy();
        }
    }

    /**
     * A trial release commits only once this release has shown it works here: the profile loaded,
     * the devices started, and the outbox took a record.
     */
    private void confirmHealthy() {
        try {
            recordOrFail(new Message.Event("gateway", "gateway.started", Message.Severity.INFO,
                    Map.of("version", Version.current(), "devices", drivers.size())));
            updates.healthy();
        } catch (RuntimeException e) {
            updates.unhealthy("outbox not writable: " + e.getMessage());
        }
    }

    /** Completes when the gateway should exit so that the boot check can start a staged release. */
    public java.util.concurrent.CompletableFuture<String> restartRequested() {
        return restartRequested;
    }

    private Profile.Device<?> device(String id) {
        return profile.devices().stream().filter(d -> d.id().equals(id)).findFirst().orElseThrow();
    }

    /** The demo broker and a simulated printer's rendering are not on a board (see {@link DemoExtra}). */
    private static void requireDemoExtra(Profile profile, boolean simulateAll) {
        if (profile.platform().embedded()) {
            DemoExtra.require("platform.url: embedded (the in-process demo broker)", DemoExtra.BROKER_CLASS);
        }
        for (Profile.Device<?> device : profile.devices()) {
            if (device.spec().driver().equals("escpos-printer") && (simulateAll || device.spec().simulated())) {
                DemoExtra.require("device " + device.id() + " (a simulated receipt printer renders its receipts)",
                        DemoExtra.RENDERING_CLASS);
            }
        }
    }

    private <C> Driver create(Profile.Device<C> device, boolean simulateAll) {
        DeviceSpec spec = device.spec();
        if (simulateAll && !spec.simulated()) {
            spec = new DeviceSpec(spec.id(), spec.driver(), spec.poll(), spec.serial(), true, spec.at());
        }
        var ctx = new DeviceContext<>(spec, device.config(), sink(), statuses.get(spec.id()), hardware);
        return device.factory().create(ctx);
    }

    private Sink sink() {
        return new Sink() {
            @Override
            public void accept(Message message) throws InterruptedException {
                record(message);
            }

            @Override
            public void acceptAll(java.util.List<Message> messages) throws InterruptedException {
                java.util.List<SqliteOutbox.Entry> readingsBatch = new java.util.ArrayList<>();
                for (Message m : messages) {
                    if (m instanceof Message.Reading r) {
                        glance.saw(r);
                        Timestamps.Stamp st = clock.now();
                        readingsBatch.add(new SqliteOutbox.Entry(st.ts(), st.unsynced(), st.sinceBootMs(), RecordJson.body(r)));
                    } else {
                        record(m);
                    }
                }
                if (!readingsBatch.isEmpty()) {
                    try {
                        outbox.appendAllAsync(Kind.TELEMETRY, readingsBatch).get();
                    } catch (java.util.concurrent.ExecutionException e) {
                        throw new org.streetgate.outbox.OutboxException("readings not stored: " + e.getCause().getMessage(), e.getCause());
                    }
                    readings.addAndGet(readingsBatch.size());
                }
            }
        };
    }

    /** Stores a reading or event; returns once it is committed. Alarms commit without waiting. */
    private void record(Message message) throws InterruptedException {
        glance.saw(message);
        Timestamps.Stamp stamp = clock.now();
        switch (message) {
            case Message.Reading r -> {
                outbox.append(Kind.TELEMETRY, stamp.ts(), stamp.unsynced(), stamp.sinceBootMs(), RecordJson.body(r), false);
                readings.incrementAndGet();
            }
            case Message.Event e -> {
                boolean alarm = e.severity() == Message.Severity.ALARM;
                outbox.append(Kind.EVENT, stamp.ts(), stamp.unsynced(), stamp.sinceBootMs(), RecordJson.body(e), alarm);
                events.incrementAndGet();
                if (alarm) {
                    Logger.warn("alarm from {}: {}", e.device(), e.type());
                }
            }
        }
    }

    /** For callers that cannot wait on an interrupt (agent callbacks, start-up): the record or an exception. */
    private void recordOrFail(Message message) {
        try {
            record(message);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new org.streetgate.outbox.OutboxException("interrupted before the record was committed");
        }
    }

    private void storeResult(CommandResult r) {
        try {
            outbox.append(Kind.RESULT, clock.wallNow(), RecordJson.result(r.id(), r.status().wire(), r.result(), r.error()), true);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private String stateJson(String state) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("state", state);
        m.put("version", Version.current());
        m.put("model", profile.gateway().model());
        m.put("ts", clock.wallNow());
        try {
            return RecordJson.mapper().writeValueAsString(m);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** For callers on another part's thread (the uplink's PUBACK handler): queue the alarm, never wait for it. */
    private void storeAlarmAsync(Message.Event event) {
        var stamp = clock.now();
        outbox.appendAsync(Kind.EVENT, stamp.ts(), stamp.unsynced(), stamp.sinceBootMs(), RecordJson.body(event), true);
        events.incrementAndGet();
        Logger.warn("alarm from {}: {}", event.device(), event.type());
    }

    private void healthLoop() {
        long nextHealth = System.nanoTime() + profile.health().interval().toNanos();
        long nextSummary = System.nanoTime() + 5_000_000_000L;
        long nextPrune = System.nanoTime();
        String lastSummary = "";
        while (running) {
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            try {
                clock.check();
                if (now >= nextHealth) {
                    nextHealth = now + profile.health().interval().toNanos();
                    uplink.publishDirect(uplink.topics().health(), RecordJson.mapper().writeValueAsString(health.snapshot()));
                }
                if (now >= nextPrune && clock.plausible()) {
                    nextPrune = now + 3_600_000_000_000L;
                    int n = router.prune();
                    if (n > 0) {
                        Logger.info("commands: forgot {} command ids past their keeping time", n);
                    }
                }
                if (now >= nextSummary) {
                    nextSummary = now + 10_000_000_000L;
                    String summary = summary();
                    if (!summary.equals(lastSummary)) {
                        Logger.info(summary);
                        lastSummary = summary;
                    }
                }
            } catch (IOException | RuntimeException e) {
                Logger.warn("health: {}", e.getMessage());
            }
        }
    }

    /** One line for the console: what was buffered, what went out, what is waiting. */
    String summary() {
        var u = uplink.stats();
        var s = outbox.stats();
        StringBuilder sb = new StringBuilder();
        sb.append("buffered ").append(readings.get()).append(" readings, ").append(events.get()).append(" events; ");
        sb.append("published ").append(u.recordsPublished()).append(" records in ").append(u.messagesPublished())
                .append(" batches; waiting ").append(s.rows());
        sb.append(u.connected() ? "; uplink connected" : "; uplink offline" + (u.lastError() == null ? "" : " (" + u.lastError() + ")"));
        if (!statuses.isEmpty()) {
            sb.append(" | ").append(glance.all(statuses));
        }
        KioskRuntime k = kiosk;
        if (k != null) {
            sb.append(" | ").append(k.glance());
        }
        return sb.toString();
    }

    public Profile profile() {
        return profile;
    }

    public SqliteOutbox outbox() {
        return outbox;
    }

    public MqttUplink uplink() {
        return uplink;
    }

    public HealthReport health() {
        return health;
    }

    /** The kiosk services, when the profile has a {@code kiosk:} section; null otherwise. */
    public KioskRuntime kiosk() {
        return kiosk;
    }

    public Map<String, DeviceStatus> deviceStatuses() {
        return statuses;
    }

    /** The embedded demo broker, when the profile says {@code platform.url: embedded}. */
    public java.util.Optional<EmbeddedBroker> embeddedBroker() {
        return java.util.Optional.ofNullable(broker);
    }

    /** The broker address in use: the embedded broker's, or the profile's. */
    public String brokerUri() {
        return broker != null ? broker.uri() : profile.platform().url();
    }

    /** Stops devices first, commits what they reported, then says offline and disconnects. */
    @Override
    public void close() {
        running = false;
        if (healthThread != null) {
            healthThread.interrupt();
        }
        if (kiosk != null) {
            kiosk.close();
        }
        drivers.values().forEach(d -> {
            try {
                d.stop();
            } catch (RuntimeException e) {
                Logger.warn("stopping device: {}", e.getMessage());
            }
        });
        try {
            outbox.flush();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            Logger.warn("outbox flush at shutdown: {}", e.getMessage());
        }
        long waiting = outbox.stats().rows();
        if (updates != null) {
            updates.close();
        }
        uplink.close();
        router.close();
        outbox.close();
        commandLog.close();
        hardware.close();
        if (broker != null) {
            broker.close();
        }
        Logger.info("gateway {} stopped; {} records wait in {}", profile.gateway().id(), waiting, outbox.file());
    }
}
