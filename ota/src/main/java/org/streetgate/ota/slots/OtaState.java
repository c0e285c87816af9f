package org.streetgate.ota.slots;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.streetgate.ota.Offer;

/**
 * The state journal's content (state/ota.json). One record, rewritten atomically at every transition,
 * so that after a power cut the boot check knows exactly which release should run.
 *
 * @param phase            where the update protocol stands
 * @param generation       incremented at every save; names staged releases uniquely
 * @param installedCounter release counter of the last committed release (anti-rollback); -1 for none
 * @param installedVersion its version, for messages
 * @param active           the release {@code current} must name outside a trial: "releases/NAME" or "factory"
 * @param previous         the release {@code previous} names, or null
 * @param trial            in TRIAL the new release on probation; in ROLLED_BACK the fallback on probation; else null
 * @param failedCounter    counter of the last release rolled back, refused when offered again (unless reinstall)
 * @param failedVersion    its version
 * @param reason           why the last install or trial failed, or null
 * @param reported         whether the outcome (committed, rolled back) has been handed to the listener
 * @param offer            the offer being downloaded, so a restart can resume it
 * @param model            gateway model last written by the agent: the CLI's default
 * @param agentVersion     agent version last written by the agent: the CLI's default
 * @param refused          bundles that failed verification (newest last, at most {@link #MAX_REFUSED})
 */
public record OtaState(Phase phase, long generation, long installedCounter, String installedVersion, String active,
                       String previous, Trial trial, Long failedCounter, String failedVersion, String reason,
                       boolean reported, Offer offer, String model, String agentVersion, List<Refusal> refused) {

    /** How many refused bundles are remembered; the oldest is forgotten first. */
    public static final int MAX_REFUSED = 32;

    public OtaState {
        refused = refused == null ? List.of() : List.copyOf(refused);
    }

    /**
     * A bundle that failed verification, by the sha256 of the whole file: never downloaded or installed
     * again, so a bad offer repeated by the platform (or resumed at every start) costs nothing.
     */
    public record Refusal(String sha256, String reason) {
    }

    /** Why the bundle with this sha256 was refused before, if it was. */
    public Optional<Refusal> refusal(String sha256) {
        return refused.stream().filter(r -> r.sha256().equals(sha256)).findFirst();
    }

    public OtaState withRefusal(String sha256, String why) {
        List<Refusal> list = new ArrayList<>(refused);
        list.removeIf(r -> r.sha256().equals(sha256));
        list.add(new Refusal(sha256, why));
        while (list.size() > MAX_REFUSED) {
            list.remove(0);
        }
        return new OtaState(phase, generation, installedCounter, installedVersion, active, previous, trial, failedCounter,
                failedVersion, reason, reported, offer, model, agentVersion, list);
    }

    /** Persisted phases, in protocol order. */
    public enum Phase {
        IDLE, DOWNLOADING, VERIFIED, STAGED, TRIAL, COMMITTED, ROLLED_BACK;

        /** Lowercase name used in events ({@code ota.progress} state). */
        public String wireName() {
            return name().toLowerCase().replace('_', '-');
        }
    }

    /**
     * A release on probation: it boots at most {@code attempts} times and must confirm its health.
     *
     * @param failure set when the running release reported itself unhealthy; the next boot check rolls back
     */
    public record Trial(String release, String version, long counter, int attemptsLeft, int attempts, String failure) {
        public Trial withAttemptsLeft(int n) {
            return new Trial(release, version, counter, n, attempts, failure);
        }

        public Trial withFailure(String why) {
            return new Trial(release, version, counter, 0, attempts, why);
        }
    }

    public static OtaState initial() {
        return new OtaState(Phase.IDLE, 0, -1, null, null, null, null, null, null, null, true, null, null, null, List.of());
    }

    public OtaState withPhase(Phase p) {
        return new OtaState(p, generation, installedCounter, installedVersion, active, previous, trial, failedCounter,
                failedVersion, reason, reported, offer, model, agentVersion, refused);
    }

    public OtaState withGeneration(long g) {
        return new OtaState(phase, g, installedCounter, installedVersion, active, previous, trial, failedCounter,
                failedVersion, reason, reported, offer, model, agentVersion, refused);
    }

    public OtaState withActive(String a, String prev) {
        return new OtaState(phase, generation, installedCounter, installedVersion, a, prev, trial, failedCounter,
                failedVersion, reason, reported, offer, model, agentVersion, refused);
    }

    public OtaState withTrial(Trial t) {
        return new OtaState(phase, generation, installedCounter, installedVersion, active, previous, t, failedCounter,
                failedVersion, reason, reported, offer, model, agentVersion, refused);
    }

    public OtaState withInstalled(long counter, String version) {
        return new OtaState(phase, generation, counter, version, active, previous, trial, failedCounter,
                failedVersion, reason, reported, offer, model, agentVersion, refused);
    }

    public OtaState withFailed(Long counter, String version) {
        return new OtaState(phase, generation, installedCounter, installedVersion, active, previous, trial, counter,
                version, reason, reported, offer, model, agentVersion, refused);
    }

    public OtaState withReason(String r) {
        return new OtaState(phase, generation, installedCounter, installedVersion, active, previous, trial, failedCounter,
                failedVersion, r, reported, offer, model, agentVersion, refused);
    }

    public OtaState withReported(boolean r) {
        return new OtaState(phase, generation, installedCounter, installedVersion, active, previous, trial, failedCounter,
                failedVersion, reason, r, offer, model, agentVersion, refused);
    }

    public OtaState withOffer(Offer o) {
        return new OtaState(phase, generation, installedCounter, installedVersion, active, previous, trial, failedCounter,
                failedVersion, reason, reported, o, model, agentVersion, refused);
    }

    public OtaState withGateway(String m, String v) {
        return new OtaState(phase, generation, installedCounter, installedVersion, active, previous, trial, failedCounter,
                failedVersion, reason, reported, offer, m, v, refused);
    }

    /** True while a release is on probation: installs wait until it commits or rolls back. */
    public boolean onProbation() {
        return trial != null && (phase == Phase.TRIAL || phase == Phase.ROLLED_BACK);
    }
}
