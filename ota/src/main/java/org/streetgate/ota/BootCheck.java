package org.streetgate.ota;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.streetgate.ota.bundle.Manifest;
import org.streetgate.ota.slots.InstallLock;
import org.streetgate.ota.slots.InstallRoot;
import org.streetgate.ota.slots.OtaState;
import org.streetgate.ota.slots.OtaState.Phase;
import org.streetgate.ota.slots.OtaState.Trial;
import org.streetgate.ota.slots.ReleaseCheck;
import org.tinylog.Logger;

/**
 * Runs before every start of the gateway (systemd ExecStartPre, or the launcher), like a bootloader's
 * attempt counter: it converges whatever a crash left half done, counts a trial release's boot
 * attempts, and rolls back to the previous release, then to factory, when a trial is out of attempts
 * or reported itself unhealthy. It never needs the network or a correct clock.
 *
 * <p>{@code java -cp 'factory/lib/*' org.streetgate.ota.BootCheck --root /opt/streetgate}
 */
public final class BootCheck {
    private BootCheck() {
    }

    /** What the check left in place: the release {@code current} names, and one line saying why. */
    public record Result(String current, String action) {
    }

    public static void main(String[] args) {
        String[] all = new String[args.length + 1];
        all[0] = "boot-check";
        System.arraycopy(args, 0, all, 1, args.length);
        System.exit(OtaCli.run(all, System.out, System.err));
    }

    public static Result run(Path rootDir) {
        InstallRoot root = new InstallRoot(rootDir);
        root.ensureLayout();
        try (InstallLock lock = InstallLock.acquire(root.lockFile(), Duration.ofSeconds(30))) {
            OtaState s = root.journal().load();
            String action;
            if (s.phase() == Phase.STAGED
                    || ((s.phase() == Phase.DOWNLOADING || s.phase() == Phase.VERIFIED) && s.offer() == null)) {
                // Cut before the trial was recorded: the old release is still current. An interrupted
                // offer is kept (the agent resumes it); an interrupted file install is simply over.
                s = root.journal().save(s.withPhase(Phase.IDLE).withOffer(null)
                        .withReason("install interrupted at " + s.phase().wireName() + "; the running release was kept"));
            }
            if (s.onProbation()) {
                Trial t = s.trial();
                root.enforceLinks(s); // finish a link switch a crash may have interrupted
                String why = null;
                if (!root.isComplete(t.release())) {
                    why = "is missing or incomplete on disk";
                } else if (t.failure() != null) {
                    why = "failed its health check: " + t.failure();
                } else if (t.attemptsLeft() <= 0) {
                    why = "did not confirm its health within " + t.attempts() + " boot attempts (crashed or hung at start)";
                }
                if (why == null) {
                    s = root.journal().save(s.withTrial(t.withAttemptsLeft(t.attemptsLeft() - 1)));
                    action = (s.phase() == Phase.TRIAL ? "trial boot of " : "probation boot of restored ") + t.version()
                            + " (" + t.release() + "), attempt " + (t.attempts() - t.attemptsLeft() + 1) + " of " + t.attempts();
                } else {
                    s = root.journal().save(fail(root, s, why));
                    action = "rolled back to " + s.active() + ": " + s.reason();
                    Logger.warn("OTA boot check: {}", action);
                }
            } else {
                String active = s.active();
                if (!root.isComplete(active)) {
                    String fallback = root.linkTarget(root.current()).filter(root::isComplete)
                            .orElse(root.isComplete(InstallRoot.FACTORY) ? InstallRoot.FACTORY : null);
                    if (fallback == null) {
                        throw new OtaException("nothing to boot: no complete release under " + root.dir()
                                + " (current link and factory/ are both missing)");
                    }
                    s = root.journal().save(s.withActive(fallback, s.previous()));
                }
                action = "running " + s.active();
            }
            root.enforceLinks(s);
            OtaState checked = verifyBeforeStart(root, s);
            if (checked != s) {
                s = checked;
                action = "rolled back to " + s.active() + ": " + s.reason();
            }
            root.collectGarbage(s);
            warnIfFactoryWritable(root);
            String current = root.linkTarget(root.current()).orElse(null);
            Logger.info("OTA boot check: {}", action);
            return new Result(current, action);
        }
    }

    /** Boots a release restored because the running one was modified gets, as a trial release has. */
    static final int FALLBACK_ATTEMPTS = 3;

    /**
     * Check the release {@code current} names against its manifest before it starts. A modified trial
     * (or restored) release fails like one that crashed; a modified committed release falls back to
     * previous, then factory. A modified factory release is not started at all: there is nothing
     * trustworthy left, and starting code someone edited is worse than not starting.
     */
    private static OtaState verifyBeforeStart(InstallRoot root, OtaState s) {
        for (int step = 0; step < 4; step++) {
            String run = root.linkTarget(root.current()).orElse(null);
            if (run == null) {
                return s;
            }
            String problem = ReleaseCheck.problem(root, run);
            if (problem == null) {
                return s;
            }
            String why = "was modified after install (" + problem + ")";
            Logger.error("OTA boot check: {} {}", run, why);
            if (s.onProbation() && s.trial().release().equals(run)) {
                s = fail(root, s, why);
            } else if (InstallRoot.FACTORY.equals(run)) {
                throw new OtaException("the factory release " + why + "; refusing to start it");
            } else {
                s = modifiedCommitted(root, s, run, why);
            }
            s = root.journal().save(s);
            root.enforceLinks(s);
        }
        throw new OtaException("no unmodified release left to boot under " + root.dir() + ": " + s.reason());
    }

    private static OtaState modifiedCommitted(InstallRoot root, OtaState s, String run, String why) {
        String version = run;
        Long counter = null;
        try {
            Manifest m = root.manifestOf(run);
            version = m.version();
            counter = m.releaseCounter();
        } catch (OtaException e) {
            // The manifest itself is what was damaged: name the release by its directory.
        }
        String reason = "release " + version + " " + why;
        OtaState base = s.withPhase(Phase.ROLLED_BACK).withFailed(counter, version).withReason(reason)
                .withReported(false).withOffer(null).withTrial(null);
        String fallback = s.previous();
        if (fallback != null && !fallback.equals(run) && root.isComplete(fallback)) {
            Trial probation = null;
            if (!InstallRoot.FACTORY.equals(fallback)) {
                Manifest fm = root.manifestOf(fallback);
                probation = new Trial(fallback, fm.version(), fm.releaseCounter(), FALLBACK_ATTEMPTS - 1, FALLBACK_ATTEMPTS, null);
            }
            return base.withTrial(probation).withActive(fallback, null);
        }
        return toFactory(root, base, reason + "; no previous release to restore");
    }

    private static void warnIfFactoryWritable(InstallRoot root) {
        Path factory = root.resolve(InstallRoot.FACTORY);
        if (Files.isDirectory(factory) && (Files.isWritable(factory) || Files.isWritable(factory.resolve("lib")))) {
            Logger.warn("OTA boot check: {} is writable by this user; the fallback release and this check's own code "
                    + "must be root-owned (docs/ota.md, section 1)", factory);
        }
    }

    private static OtaState fail(InstallRoot root, OtaState s, String why) {
        Trial t = s.trial();
        if (s.phase() == Phase.TRIAL) {
            String reason = "release " + t.version() + " " + why;
            OtaState base = s.withPhase(Phase.ROLLED_BACK).withFailed(t.counter(), t.version()).withReason(reason)
                    .withReported(false).withOffer(null);
            String fallback = s.active();
            if (root.isComplete(fallback) && !fallback.equals(t.release())) {
                // The restored release boots on probation too: if it cannot confirm either, factory is next.
                // The boot about to happen is its first attempt, hence attempts - 1 left.
                Trial probation = InstallRoot.FACTORY.equals(fallback) ? null : new Trial(fallback,
                        root.manifestOf(fallback).version(), root.manifestOf(fallback).releaseCounter(),
                        t.attempts() - 1, t.attempts(), null);
                return base.withTrial(probation).withActive(fallback, null);
            }
            return toFactory(root, base, reason + "; no previous release to restore");
        }
        String reason = s.reason() + "; then the restored release " + t.version() + " " + why;
        return toFactory(root, s.withReported(false), reason);
    }

    private static OtaState toFactory(InstallRoot root, OtaState s, String reason) {
        if (root.isComplete(InstallRoot.FACTORY)) {
            return s.withTrial(null).withActive(InstallRoot.FACTORY, null).withReason(reason + "; running the factory release");
        }
        // Never switch to an empty slot: with no factory release, stay on what is there and say so.
        String stay = s.trial() != null ? s.trial().release() : s.active();
        return s.withTrial(null).withActive(stay, null).withReason(reason + "; no factory release installed, staying on " + stay);
    }
}
