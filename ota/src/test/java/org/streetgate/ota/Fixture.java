package org.streetgate.ota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.streetgate.ota.slots.InstallRoot;
import org.streetgate.ota.slots.OtaState;

/**
 * A provisioned install root: factory release 0.9 (counter 1) and committed release 1.0 (counter 10),
 * plus helpers that play the gateway's part (boot check, start, confirm or not).
 */
final class Fixture {
    final Path work;
    final Path root;
    final KeyPair key = TestBundles.newKey();
    final List<String> trust;
    final List<OtaEvent> events = new CopyOnWriteArrayList<>();
    private final Object eventSignal = new Object();
    /** Behaviour forced on a release from outside it (a changed device, a full disk), by release name. */
    final java.util.Map<String, String> brokenOutside = new java.util.concurrent.ConcurrentHashMap<>();
    UpdateAgent.Options options = UpdateAgent.Options.defaults().withRestartGrace(null) // never halt the test JVM
            .withAllowedHosts(List.of("127.0.0.1"));

    Fixture(Path tmp) throws IOException {
        work = Files.createDirectories(tmp.resolve("work"));
        root = tmp.resolve("root");
        trust = List.of(TestBundles.spki(key));
    }

    /** Factory 0.9 and committed 1.0, as after provisioning and one good update. */
    Fixture provision() throws IOException {
        Path factory = bundle("0.9.0", 1, "healthy");
        int rc = OtaCli.run(new String[] {"install", factory.toString(), "--factory", "--root", root.toString(),
                "--model", TestBundles.MODEL, "--trust", trust.get(0)}, System.out, System.err);
        assertEquals(0, rc, "factory provisioning");
        try (UpdateAgent a = agent()) {
            a.installFile(bundle("1.0.0", 10, "healthy"), false);
        }
        assertEquals("healthy", startRelease(), "1.0 boots");
        assertEquals(OtaState.Phase.COMMITTED, state().phase());
        events.clear();
        return this;
    }

    Path bundle(String version, long counter, String behaviour, String... models) throws IOException {
        return TestBundles.bundle(work, key, version, counter, behaviour, models);
    }

    UpdateAgent agent() {
        return new UpdateAgent(root, trust, TestBundles.MODEL, "1.0.0", this::record, options);
    }

    InstallRoot installRoot() {
        return new InstallRoot(root);
    }

    OtaState state() {
        return installRoot().journal().load();
    }

    String current() {
        return installRoot().linkTarget(installRoot().current()).orElse(null);
    }

    String previous() {
        return installRoot().linkTarget(installRoot().previous()).orElse(null);
    }

    String currentVersion() {
        return installRoot().manifestOf(current()).version();
    }

    /**
     * One service start as systemd does it: the boot check, then the release in {@code current} runs
     * in process and does what its conf/behaviour file says: confirm its health, report itself
     * unhealthy, or crash before confirming. Returns the behaviour.
     */
    String startRelease() throws IOException {
        BootCheck.run(root);
        String behaviour = brokenOutside.getOrDefault(current(),
                Files.readString(installRoot().current().resolve("conf/behaviour"), StandardCharsets.UTF_8).strip());
        try (UpdateAgent a = agent()) {
            a.start();
            switch (behaviour) {
                case "healthy" -> assertTrue(a.confirmHealthy() || state().phase() != OtaState.Phase.TRIAL);
                case "unhealthy" -> a.reportUnhealthy("outbox not writable");
                case "crash" -> {
                    // dies before its health checks: nothing is confirmed
                }
                default -> throw new AssertionError("unknown behaviour " + behaviour);
            }
        }
        return behaviour;
    }

    /** Start the gateway until it settles on a release that stays up; fails if it never settles. */
    String startUntilStable() throws IOException {
        for (int i = 0; i < 12; i++) {
            String b = startRelease();
            OtaState s = state();
            if (b.equals("healthy") && !s.onProbation()) {
                return current();
            }
        }
        throw new AssertionError("gateway did not settle; state " + state());
    }

    /** The agent's listener: keep the event and wake whoever waits for one. */
    void record(OtaEvent e) {
        synchronized (eventSignal) {
            events.add(e);
            eventSignal.notifyAll();
        }
    }

    /** Wait until at least {@code n} events of {@code type} arrived; fails the test after {@code timeout}. */
    <T extends OtaEvent> List<T> awaitEvents(Class<T> type, int n, Duration timeout) throws InterruptedException {
        long until = System.nanoTime() + timeout.toNanos();
        synchronized (eventSignal) {
            while (events(type).size() < n) {
                long left = until - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("no " + n + " " + type.getSimpleName() + " event(s) within " + timeout + "; got " + events);
                }
                TimeUnit.NANOSECONDS.timedWait(eventSignal, left);
            }
            return events(type);
        }
    }

    <T extends OtaEvent> List<T> events(Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }
}
