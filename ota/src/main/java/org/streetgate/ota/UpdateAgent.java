package org.streetgate.ota;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.streetgate.ota.bundle.BundleVerifier;
import org.streetgate.ota.bundle.Manifest;
import org.streetgate.ota.bundle.VerifiedBundle;
import org.streetgate.ota.download.Downloader;
import org.streetgate.ota.keys.TrustedKeys;
import org.streetgate.ota.push.PushEndpoint;
import org.streetgate.ota.slots.Disk;
import org.streetgate.ota.slots.InstallLock;
import org.streetgate.ota.slots.InstallRoot;
import org.streetgate.ota.slots.OtaState;
import org.streetgate.ota.slots.OtaState.Phase;
import org.streetgate.ota.slots.OtaState.Trial;
import org.streetgate.ota.slots.Stager;
import org.streetgate.ota.util.Version;
import org.tinylog.Logger;

/**
 * The update agent the runtime drives. One per gateway process:
 * <ol>
 * <li>construct it with the install root, trusted keys, model and running version, and a listener;</li>
 * <li>{@link #start()} after the boot check: reports a pending rollback or commit, cleans stale
 *     downloads, resumes an interrupted download, and arms the health deadline when this boot is a trial;</li>
 * <li>{@link #confirmHealthy()} once the profile is loaded, the drivers started and the outbox is
 *     writable, or {@link #reportUnhealthy(String)}; on {@link OtaEvent.RestartRequired} exit cleanly so
 *     systemd restarts the gateway through the boot check;</li>
 * <li>feed it {@link #offer(Offer)}s, {@link #installFile(Path, boolean)}, {@link #watchDirectory(Path)} and
 *     {@link #startPushEndpoint(InetSocketAddress, String)} as configured.</li>
 * </ol>
 * Nothing here needs the network to commit or roll back, and no wall clock is consulted.
 */
public final class UpdateAgent implements AutoCloseable {

    /**
     * Tunables, defaults suited to a Pi on a cellular link.
     *
     * @param trialAttempts  boots a trial release gets to confirm its health
     * @param healthDeadline time a trial boot has from {@link #start()} to {@link #confirmHealthy()}
     * @param download       retry, backoff and free-space policy of downloads
     * @param disk           free-space probe and write hook (tests simulate a full disk with it)
     * @param watchInterval  polling interval of {@link #watchDirectory(Path)}
     * @param maxPushBytes   largest bundle the push endpoint accepts
     * @param restartGrace   after a trial failed, halt the JVM if it is still running this long after
     *                       {@link OtaEvent.RestartRequired} (a hung gateway would otherwise never reach
     *                       the boot check); null never halts. Closing the agent cancels it.
     * @param allowedHosts   the only hosts an offer (and any redirect) may name, from the profile's
     *                       {@code ota.allowed-hosts}; empty (the default) refuses every offer
     * @param push           limits of the push endpoint: connections, header size, timeouts, wrong-token
     *                       lock-out, and whether it may bind an address other than loopback
     */
    public record Options(int trialAttempts, Duration healthDeadline, Downloader.Settings download, Disk disk,
                          Duration watchInterval, long maxPushBytes, Duration restartGrace, List<String> allowedHosts,
                          PushEndpoint.Limits push) {
        public Options {
            Objects.requireNonNull(push, "push");
            allowedHosts = allowedHosts == null ? List.of() : allowedHosts.stream().map(h -> {
                if (h == null || !h.matches("[A-Za-z0-9.:\\[\\]-]{1,253}")) {
                    throw new IllegalArgumentException("allowedHosts: '" + h + "' is not a host name or address");
                }
                return h.toLowerCase(java.util.Locale.ROOT);
            }).toList();
            if (trialAttempts < 1) {
                throw new IllegalArgumentException("trialAttempts must be >= 1");
            }
            Objects.requireNonNull(healthDeadline, "healthDeadline");
            Objects.requireNonNull(download, "download");
            Objects.requireNonNull(disk, "disk");
        }

        public static Options defaults() {
            return new Options(3, Duration.ofMinutes(5), Downloader.Settings.defaults(), Disk.REAL, Duration.ofSeconds(2),
                    Offer.MAX_SIZE, Duration.ofSeconds(60), List.of(),
                    PushEndpoint.Limits.defaults());
        }

        public Options withRestartGrace(Duration d) {
            return new Options(trialAttempts, healthDeadline, download, disk, watchInterval, maxPushBytes, d, allowedHosts, push);
        }

        public Options withHealthDeadline(Duration d) {
            return new Options(trialAttempts, d, download, disk, watchInterval, maxPushBytes, restartGrace, allowedHosts, push);
        }

        public Options withDownload(Downloader.Settings s) {
            return new Options(trialAttempts, healthDeadline, s, disk, watchInterval, maxPushBytes, restartGrace, allowedHosts, push);
        }

        public Options withDisk(Disk d) {
            return new Options(trialAttempts, healthDeadline, download, d, watchInterval, maxPushBytes, restartGrace, allowedHosts, push);
        }

        public Options withAllowedHosts(List<String> hosts) {
            return new Options(trialAttempts, healthDeadline, download, disk, watchInterval, maxPushBytes, restartGrace, hosts, push);
        }

        public Options withPush(PushEndpoint.Limits limits) {
            return new Options(trialAttempts, healthDeadline, download, disk, watchInterval, maxPushBytes, restartGrace,
                    allowedHosts, limits);
        }

        public Options withWatchInterval(Duration d) {
            return new Options(trialAttempts, healthDeadline, download, disk, d, maxPushBytes, restartGrace, allowedHosts, push);
        }
    }

    /**
     * A snapshot for the runtime's health report.
     *
     * @param state       journal phase in lowercase (idle, downloading, ..., trial, committed, rolled-back)
     * @param current     release the current link names, e.g. "releases/1.4.0-c42-g17", or null
     * @param onTrial     version on probation (a new trial or a restored release), or null
     * @param lastFailure why the last install or trial failed, or null
     */
    public record Status(String state, String current, long installedCounter, String installedVersion, String onTrial,
                         String lastFailure) {
    }

    /** A release installed as a trial; it runs after the next restart. */
    public record StagedRelease(String version, long releaseCounter, String release) {
    }

    private final InstallRoot root;
    private final TrustedKeys keys;
    private final String model;
    private final Version agentVersion;
    private final OtaListener listener;
    private final Options options;
    private Downloader downloader; // created at the first offer: the CLI and the boot path never need HTTP
    private final ScheduledExecutorService timer;
    private final List<AutoCloseable> resources = new CopyOnWriteArrayList<>();
    private volatile String bootRelease;
    private volatile boolean restartPending;
    private volatile boolean closed;
    private ScheduledFuture<?> deadline;
    private Offer inFlightOffer;
    private CompletableFuture<StagedRelease> inFlight;

    /**
     * @param trustedKeys base64 SPKI strings or .pub file paths, as listed in the profile
     * @param model       the gateway model from the profile; bundles must list it as compatible
     * @param agentVersion the running StreetGate version, checked against a bundle's minAgent
     */
    public UpdateAgent(Path root, List<String> trustedKeys, String model, String agentVersion, OtaListener listener) {
        this(root, trustedKeys, model, agentVersion, listener, Options.defaults());
    }

    public UpdateAgent(Path root, List<String> trustedKeys, String model, String agentVersion, OtaListener listener,
                       Options options) {
        if (model == null || !model.matches("[a-z0-9-]{1,64}")) {
            throw new IllegalArgumentException("gateway model must match [a-z0-9-]{1,64}, got '" + model + "'");
        }
        this.root = new InstallRoot(root);
        this.keys = TrustedKeys.parse(trustedKeys);
        this.model = model;
        this.agentVersion = Version.parse(agentVersion);
        this.listener = Objects.requireNonNull(listener, "listener");
        this.options = options;
        this.timer = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("ota-timer").factory());
    }

    public InstallRoot installRoot() {
        return root;
    }

    /** Call once at gateway start, after the boot check ran. */
    public void start() {
        root.ensureLayout();
        bootRelease = root.linkTarget(root.current()).orElse(null);
        OtaState s;
        try (InstallLock lock = InstallLock.acquire(root.lockFile(), Duration.ofSeconds(10))) {
            s = root.journal().load();
            if (!model.equals(s.model()) || !agentVersion.toString().equals(s.agentVersion())) {
                s = root.journal().save(s.withGateway(model, agentVersion.toString()));
            }
            if (s.phase() == Phase.STAGED) { // normally converged by the boot check already
                s = root.journal().save(s.withPhase(Phase.IDLE).withOffer(null));
            }
            s = reportOutcome(s);
            cleanStaleDownloads(s);
        }
        if (s.onProbation() && s.trial().release().equals(bootRelease) && s.trial().failure() == null) {
            Duration d = options.healthDeadline();
            Logger.info("OTA: {} is on trial; it must confirm its health within {}", s.trial().version(), d);
            synchronized (this) {
                deadline = timer.schedule(() -> reportUnhealthy("health not confirmed within " + d.toSeconds() + " s of start"),
                        d.toMillis(), TimeUnit.MILLISECONDS);
            }
        }
        if ((s.phase() == Phase.DOWNLOADING || s.phase() == Phase.VERIFIED) && s.offer() != null) {
            Logger.info("OTA: resuming the interrupted download of {}", s.offer().version());
            try {
                offer(s.offer());
            } catch (BundleException e) {
                // Refused as it stands (a host no longer allowed, refused before): it never will be resumed.
                Logger.warn("OTA: the interrupted download of {} is dropped: {}", s.offer().version(), e.getMessage());
                try (InstallLock lock = InstallLock.acquire(root.lockFile(), Duration.ofSeconds(10))) {
                    OtaState now = root.journal().load();
                    if (now.phase() == Phase.DOWNLOADING || now.phase() == Phase.VERIFIED) {
                        root.journal().save(now.withPhase(Phase.IDLE).withOffer(null).withReason(e.getMessage()));
                    }
                }
                emit(new OtaEvent.Failed(s.offer().version(), e.getMessage(), true));
            } catch (OtaException e) {
                Logger.warn("OTA: cannot resume the interrupted download: {}", e.getMessage());
            }
        }
    }

    /** Read the journal and links; no lock, no side effects. */
    public Status status() {
        OtaState s = root.journal().load();
        return new Status(s.phase().wireName(), root.linkTarget(root.current()).orElse(null), s.installedCounter(),
                s.installedVersion(), s.onProbation() ? s.trial().version() : null, s.reason());
    }

    /**
     * Download and install an offered bundle in the background. Throws {@link BusyException} at once
     * when another install is running or a trial is pending; the same offer repeated while it is in
     * progress returns the same future. Progress and the outcome arrive as events, and the returned
     * future completes with the staged release or the failure.
     */
    public synchronized CompletableFuture<StagedRelease> offer(Offer offer) {
        ensureOpen();
        if (!options.allowedHosts().contains(offer.host())) {
            throw new BundleException(BundleException.Reason.BAD_OFFER, "offer: host '" + offer.host()
                    + "' is not allowed; the profile's ota.allowed-hosts lists " + options.allowedHosts());
        }
        if (offer.equals(inFlightOffer) && !inFlight.isDone()) {
            return inFlight; // the platform repeated an offer we are already working on
        }
        InstallLock lock = InstallLock.acquire(root.lockFile(), Duration.ZERO);
        CompletableFuture<StagedRelease> result = new CompletableFuture<>();
        try {
            root.ensureLayout();
            OtaState s = root.journal().load();
            checkNotOnProbation(s);
            checkNotRefusedBefore(s, offer);
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
        Thread.ofVirtual().name("ota-offer").start(() -> {
            try (lock) {
                result.complete(runOffer(offer));
            } catch (Throwable t) {
                result.completeExceptionally(t);
            }
        });
        inFlightOffer = offer;
        inFlight = result;
        return result;
    }

    /** Verify and install a bundle file (USB stick, push, technician CLI) through the same checks as an offer. */
    public StagedRelease installFile(Path bundle, boolean reinstall) {
        ensureOpen();
        root.ensureLayout();
        try (InstallLock lock = InstallLock.acquire(root.lockFile(), Duration.ZERO)) {
            OtaState before = root.journal().load();
            checkNotOnProbation(before);
            try {
                return installLocked(bundle, reinstall, before, null);
            } catch (OtaException e) {
                restore(before, e.getMessage(), null);
                emit(new OtaEvent.Failed(null, e.getMessage(), e instanceof BundleException));
                throw e;
            } catch (RuntimeException e) {
                String why = "internal error while installing " + bundle.getFileName() + ": " + e;
                Logger.error(e, "OTA: {}", why);
                restore(before, why, null);
                emit(new OtaEvent.Failed(null, why, false));
                throw e;
            }
        }
    }

    /**
     * The running release passed its health checks: commit it if it is on trial. Returns true when this
     * call committed (or confirmed a restored release), false when there was nothing to confirm.
     */
    public synchronized boolean confirmHealthy() {
        if (restartPending) {
            Logger.info("OTA: health confirmation ignored: a restart into another release is pending");
            return false;
        }
        if (!root.journal().load().onProbation()) {
            return false; // the usual case; no lock needed, so a running download never delays it
        }
        try (InstallLock lock = InstallLock.acquire(root.lockFile(), Duration.ofSeconds(10))) {
            OtaState s = root.journal().load();
            if (!s.onProbation() || !s.trial().release().equals(bootRelease) || s.trial().failure() != null) {
                return false;
            }
            cancelDeadline();
            Trial t = s.trial();
            if (s.phase() == Phase.TRIAL) {
                // Commit is local and immediate; reporting it is a separate, retryable step.
                s = root.journal().save(s.withPhase(Phase.COMMITTED).withInstalled(t.counter(), t.version())
                        .withActive(t.release(), s.active()).withTrial(null).withReason(null).withReported(false));
                root.enforceLinks(s);
                root.collectGarbage(s);
                Logger.info("OTA: committed {} (release counter {})", t.version(), t.counter());
                reportOutcome(s);
            } else {
                root.journal().save(s.withTrial(null));
                Logger.info("OTA: restored release {} confirmed healthy", t.version());
            }
            return true;
        }
    }

    /**
     * The running trial release failed its health checks. The next boot check rolls back; the runtime
     * should restart (a {@link OtaEvent.RestartRequired} follows). Returns false when not on trial.
     */
    public synchronized boolean reportUnhealthy(String reason) {
        if (restartPending || closed) {
            return false;
        }
        if (!root.journal().load().onProbation()) {
            Logger.warn("OTA: unhealthy report ignored, no release is on trial: {}", reason);
            return false;
        }
        try (InstallLock lock = InstallLock.acquire(root.lockFile(), Duration.ofSeconds(10))) {
            OtaState s = root.journal().load();
            if (!s.onProbation() || !s.trial().release().equals(bootRelease)) {
                Logger.warn("OTA: unhealthy report ignored, this release is not on trial: {}", reason);
                return false;
            }
            cancelDeadline();
            Trial t = s.trial();
            root.journal().save(s.withTrial(t.withFailure(reason)));
            restartPending = true;
            Logger.warn("OTA: trial of {} failed its health check: {}", t.version(), reason);
            emit(new OtaEvent.Failed(t.version(), "health check failed: " + reason, false));
            emit(new OtaEvent.RestartRequired(t.version(), s.active()));
            Duration grace = options.restartGrace();
            if (grace != null && !closed) {
                // A gateway hung badly enough to miss its deadline may not manage a clean exit either.
                timer.schedule(() -> {
                    Logger.error("OTA: gateway still running {} s after a failed trial; halting so the boot check can roll back",
                            grace.toSeconds());
                    Runtime.getRuntime().halt(EXIT_FAILED_TRIAL);
                }, grace.toMillis(), TimeUnit.MILLISECONDS);
            }
            return true;
        }
    }

    /**
     * Install any new .sgb file that appears in {@code dir} (a USB stick's mount point), once its size
     * has been stable for one polling interval. Polls rather than using WatchService, which misses
     * events on removable and network filesystems. Close the handle to stop.
     */
    public DirectoryWatch watchDirectory(Path dir) {
        ensureOpen();
        DirectoryWatch watch = new DirectoryWatch();
        watch.thread = Thread.ofVirtual().name("ota-watch").unstarted(() -> watchLoop(dir, watch));
        watch.thread.start();
        resources.add(watch);
        return watch;
    }

    /**
     * A running {@link #watchDirectory(Path)}. Counts its completed scans and the installs it put off
     * because another install was busy, so a caller (a test, the health report) can wait for "the
     * watcher looked again" instead of guessing how long that takes.
     */
    public static final class DirectoryWatch implements AutoCloseable {
        private final Object lock = new Object();
        private long scans;
        private long deferred;
        private Thread thread;

        /** Directory scans completed so far. */
        public long scans() {
            synchronized (lock) {
                return scans;
            }
        }

        /** Installs put off because another install held the lock or a trial was pending. */
        public long deferred() {
            synchronized (lock) {
                return deferred;
            }
        }

        /** Wait until at least {@code n} scans have completed; false when {@code timeout} passed first. */
        public boolean awaitScans(long n, Duration timeout) throws InterruptedException {
            long until = System.nanoTime() + timeout.toNanos();
            synchronized (lock) {
                while (scans < n) {
                    long left = until - System.nanoTime();
                    if (left <= 0) {
                        return false;
                    }
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                }
                return true;
            }
        }

        private void count(boolean scan, boolean defer) {
            synchronized (lock) {
                if (scan) {
                    scans++;
                }
                if (defer) {
                    deferred++;
                }
                lock.notifyAll();
            }
        }

        @Override
        public void close() {
            thread.interrupt();
        }
    }

    /** Exit status when the agent halts a gateway that did not restart after a failed trial. */
    public static final int EXIT_FAILED_TRIAL = 75;

    /** Default port of the push endpoint. */
    public static final int DEFAULT_PUSH_PORT = 8787;

    /** Start the push endpoint on 127.0.0.1:{@value #DEFAULT_PUSH_PORT}: reachable from the device itself or an SSH tunnel only. */
    public PushEndpoint startPushEndpoint(String token) {
        return startPushEndpoint(new InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), DEFAULT_PUSH_PORT), token);
    }

    /**
     * Start the technician push endpoint: {@code PUT /ota/bundle} with {@code Authorization: Bearer TOKEN}.
     * Binds where asked (127.0.0.1 unless the profile says otherwise; another address needs
     * {@code Options.push().allowNonLoopback()}); refuses to start without a token.
     */
    public PushEndpoint startPushEndpoint(InetSocketAddress bind, String token) {
        ensureOpen();
        PushEndpoint endpoint = PushEndpoint.start(bind, token, root.downloads(), options.maxPushBytes(), options.disk(),
                options.push(), this::installFile);
        resources.add(endpoint);
        return endpoint;
    }

    @Override
    public void close() {
        closed = true;
        timer.shutdownNow();
        synchronized (this) {
            if (downloader != null) {
                downloader.close();
            }
        }
        for (AutoCloseable r : resources) {
            try {
                r.close();
            } catch (Exception e) {
                Logger.warn("OTA: error while closing {}: {}", r, e.getMessage());
            }
        }
    }

    // ---------------------------------------------------------------------------------------------

    private StagedRelease runOffer(Offer offer) {
        OtaState before = root.journal().load();
        if (before.phase() == Phase.DOWNLOADING || before.phase() == Phase.VERIFIED) {
            // Resuming after a restart: whatever happens now, the offer must not be resumed yet again.
            before = before.withPhase(Phase.IDLE).withOffer(null);
        }
        try {
            OtaState s = root.journal().save(before.withPhase(Phase.DOWNLOADING).withOffer(offer).withReason(null));
            emit(new OtaEvent.Progress(Phase.DOWNLOADING, 0, offer.version()));
            int[] lastPercent = {0};
            Path file = downloader().fetch(offer.url(), offer.sha256(), offer.size(), root.downloads(), (have, total) -> {
                int pct = (int) (have * 100 / total);
                if (pct >= lastPercent[0] + 5 || (pct == 100 && lastPercent[0] != 100)) {
                    lastPercent[0] = pct;
                    emit(new OtaEvent.Progress(Phase.DOWNLOADING, pct, offer.version()));
                }
            });
            try {
                return installLocked(file, false, s, offer.version());
            } finally {
                deleteQuietly(file); // installed or refused, the downloaded bundle is not needed again
            }
        } catch (BundleException e) {
            restore(before, e.getMessage(), remembersRefusal(e.reason()) ? offer.sha256() : null);
            emit(new OtaEvent.Failed(offer.version(), e.getMessage(), true));
            throw e;
        } catch (OtaException e) {
            restore(before, e.getMessage(), null);
            emit(new OtaEvent.Failed(offer.version(), e.getMessage(), false));
            throw e;
        } catch (RuntimeException e) {
            // A bug, never silence: report it like any failure and do not try the same bytes again.
            String why = "internal error while installing: " + e;
            Logger.error(e, "OTA: {}", why);
            restore(before, why, offer.sha256());
            emit(new OtaEvent.Failed(offer.version(), why, false));
            throw e;
        }
    }

    /**
     * A refusal that is a property of the bytes (and the trust list) is remembered; one that depends on
     * this gateway's model or agent version is not, since a profile change or an agent update changes it.
     */
    private static boolean remembersRefusal(BundleException.Reason r) {
        return switch (r) {
            case INCOMPATIBLE_MODEL, AGENT_TOO_OLD, REFUSED_BEFORE, BAD_OFFER -> false;
            case MALFORMED, UNSIGNED, BAD_SIGNATURE, UNKNOWN_KEY, UNLISTED_ENTRY, MISSING_ENTRY, DUPLICATE_ENTRY,
                 UNSAFE_PATH, SYMLINK, SIZE_MISMATCH, HASH_MISMATCH, DOWNGRADE, REPLAY, PREVIOUSLY_FAILED -> true;
        };
    }

    private static void checkNotRefusedBefore(OtaState s, Offer offer) {
        s.refusal(offer.sha256()).ifPresent(r -> {
            throw new BundleException(BundleException.Reason.REFUSED_BEFORE, "offer " + offer.version() + ": bundle "
                    + org.streetgate.ota.util.Hex.shortHash(offer.sha256()) + " was refused before (" + r.reason()
                    + "); it is not downloaded again");
        });
    }

    private StagedRelease installLocked(Path bundle, boolean reinstall, OtaState s, String offeredVersion) {
        VerifiedBundle verified = new BundleVerifier(keys).verify(bundle);
        Manifest m = verified.manifest();
        checkPolicy(m, s, reinstall);
        if (offeredVersion != null && !offeredVersion.equals(m.version())) {
            Logger.warn("OTA: offer said version {} but the signed manifest says {}; using the manifest", offeredVersion, m.version());
        }
        s = root.journal().save(s.withPhase(Phase.VERIFIED));
        emit(new OtaEvent.Progress(Phase.VERIFIED, 100, m.version()));

        String name = m.version() + "-c" + m.releaseCounter() + "-g" + s.generation();
        String release = Stager.stage(root, verified, name, root.releases().resolve(name), options.disk(),
                options.download().spaceMargin());
        s = root.journal().save(s.withPhase(Phase.STAGED));
        emit(new OtaEvent.Progress(Phase.STAGED, 100, m.version()));

        String active = s.active() != null ? s.active() : root.linkTarget(root.current()).orElse(null);
        Trial trial = new Trial(release, m.version(), m.releaseCounter(), options.trialAttempts(), options.trialAttempts(), null);
        // TRIAL is written before the links move: the boot check can always finish or undo the switch.
        s = root.journal().save(s.withPhase(Phase.TRIAL).withTrial(trial).withActive(active, s.previous())
                .withOffer(null).withReason(null));
        root.enforceLinks(s);
        root.collectGarbage(s);
        restartPending = true;
        cancelDeadline();
        Logger.info("OTA: {} (release counter {}) installed as a trial in {}; restart to boot it", m.version(),
                m.releaseCounter(), release);
        emit(new OtaEvent.Progress(Phase.TRIAL, 100, m.version()));
        emit(new OtaEvent.RestartRequired(m.version(), release));
        return new StagedRelease(m.version(), m.releaseCounter(), release);
    }

    private void checkPolicy(Manifest m, OtaState s, boolean reinstall) {
        if (!m.compatible().contains(model)) {
            throw new BundleException(BundleException.Reason.INCOMPATIBLE_MODEL, "bundle " + m.version() + " is for models "
                    + m.compatible() + ", this gateway is a " + model);
        }
        if (Version.parse(m.minAgent()).compareTo(agentVersion) > 0) {
            throw new BundleException(BundleException.Reason.AGENT_TOO_OLD, "bundle " + m.version() + " needs agent "
                    + m.minAgent() + " or newer, this agent is " + agentVersion);
        }
        InstallRoot.Floor floor = root.counterFloor(s);
        long installed = floor.counter();
        if (m.releaseCounter() < installed) {
            throw new BundleException(BundleException.Reason.DOWNGRADE, "release counter " + m.releaseCounter() + " ("
                    + m.version() + ") is lower than the installed " + installed + " (" + floor.version()
                    + "): downgrades are refused; re-release the old content with a higher counter");
        }
        if (m.releaseCounter() == installed && !reinstall) {
            throw new BundleException(BundleException.Reason.REPLAY, "release counter " + installed + " (" + m.version()
                    + ") is already installed; use --reinstall to install it again");
        }
        if (s.failedCounter() != null && m.releaseCounter() == s.failedCounter() && !reinstall) {
            throw new BundleException(BundleException.Reason.PREVIOUSLY_FAILED, "release counter " + m.releaseCounter()
                    + " (" + m.version() + ") was rolled back (" + s.reason() + "); use --reinstall to try it again");
        }
    }

    private void checkNotOnProbation(OtaState s) {
        if (restartPending) {
            throw new BusyException("a release was just installed; restart the gateway before installing another");
        }
        if (s.onProbation()) {
            throw new BusyException("release " + s.trial().version() + " is on trial; it must commit or roll back before another install");
        }
    }

    /** Put the journal back to where it was before a failed install, keeping the generation moving forward. */
    private void restore(OtaState before, String reason, String refusedSha256) {
        try {
            OtaState now = root.journal().load();
            if (now.generation() != before.generation() || refusedSha256 != null) {
                OtaState back = before.withGeneration(now.generation()).withReason(reason);
                root.journal().save(refusedSha256 == null ? back : back.withRefusal(refusedSha256, reason));
            }
        } catch (OtaException e) {
            // The failure itself must still be reported; the boot check converges the journal later.
            Logger.error("OTA: cannot restore the journal after a failed install: {}", e.getMessage());
        }
    }

    /** Hand a pending outcome to the listener; mark it reported only once the listener took it. */
    private OtaState reportOutcome(OtaState s) {
        if (s.reported()) {
            return s;
        }
        OtaEvent event = switch (s.phase()) {
            case COMMITTED -> new OtaEvent.Committed(s.installedVersion(), s.installedCounter());
            case ROLLED_BACK -> new OtaEvent.RolledBack(s.failedVersion(), s.active(), s.reason());
            default -> null;
        };
        if (event == null || !emit(event)) {
            return s;
        }
        return root.journal().save(s.withReported(true));
    }

    private void cleanStaleDownloads(OtaState s) {
        String keep = s.offer() != null && (s.phase() == Phase.DOWNLOADING || s.phase() == Phase.VERIFIED)
                ? s.offer().sha256() : null;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(root.downloads())) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                if (keep == null || !name.startsWith(keep + ".")) {
                    Logger.info("OTA: removing stale download {}", name);
                    Files.deleteIfExists(p);
                }
            }
        } catch (IOException e) {
            Logger.warn("OTA: cannot clean {}: {}", root.downloads(), e.getMessage());
        }
    }

    private void watchLoop(Path dir, DirectoryWatch watch) {
        record Seen(long size, long modified) {
        }
        Map<Path, Seen> pending = new HashMap<>();
        Map<Path, Seen> done = new HashMap<>();
        while (!closed && !Thread.currentThread().isInterrupted()) {
            if (Files.isDirectory(dir)) {
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.sgb")) {
                    for (Path p : ds) {
                        // wall-clock-ok: the mtime is only compared for equality, as a "file changed" marker.
                        Seen now = new Seen(Files.size(p), Files.getLastModifiedTime(p).toMillis());
                        if (now.equals(done.get(p))) {
                            continue;
                        }
                        if (now.equals(pending.get(p))) { // unchanged for one interval: the copy has finished
                            pending.remove(p);
                            done.put(p, now);
                            Logger.info("OTA: installing {} from the watched directory", p);
                            try {
                                installFile(p, false);
                            } catch (BusyException e) {
                                done.remove(p); // not refused, just not now: try again at the next poll
                                watch.count(false, true);
                                Logger.info("OTA: {} waits: {}", p, e.getMessage());
                            } catch (RuntimeException e) {
                                Logger.warn("OTA: {} not installed: {}", p, e.getMessage());
                            }
                        } else {
                            pending.put(p, now);
                        }
                    }
                } catch (IOException e) {
                    Logger.debug("OTA: cannot list {}: {}", dir, e.getMessage()); // stick pulled mid-scan
                }
            }
            watch.count(true, false);
            try {
                Thread.sleep(options.watchInterval());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private synchronized Downloader downloader() {
        if (downloader == null) {
            downloader = new Downloader(Downloader.defaultClient(), options.disk(), options.download(), options.allowedHosts());
        }
        return downloader;
    }

    private boolean emit(OtaEvent event) {
        try {
            listener.onEvent(event);
            return true;
        } catch (RuntimeException e) {
            Logger.error(e, "OTA listener failed on {}", event);
            return false;
        }
    }

    private synchronized void cancelDeadline() {
        if (deadline != null) {
            deadline.cancel(false);
            deadline = null;
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("update agent is closed");
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // Removed as stale at the next start.
        }
    }
}
