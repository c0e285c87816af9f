package org.streetgate.ota;

import org.streetgate.ota.slots.OtaState.Phase;

/**
 * What the update agent reports. The runtime turns each into an event record on the {@code events}
 * topic; the names in brackets are the suggested event types.
 */
public sealed interface OtaEvent {

    /** [ota.progress] {@code state} is the journal phase in lowercase, {@code percent} 0..100. */
    record Progress(Phase state, int percent, String version) implements OtaEvent {
    }

    /**
     * [ota.staged] A release is installed as a trial; the gateway must restart (exit cleanly, systemd
     * restarts it and the boot check counts the attempt) to boot it.
     */
    record RestartRequired(String version, String release) implements OtaEvent {
    }

    /** [ota.committed] The running trial release passed its health checks and is now the installed one. */
    record Committed(String version, long releaseCounter) implements OtaEvent {
    }

    /** [ota.rolled-back] A trial failed and the boot check restored {@code restoredRelease}. */
    record RolledBack(String failedVersion, String restoredRelease, String reason) implements OtaEvent {
    }

    /**
     * [ota.failed] An offer or install did not happen. {@code refused} is true when the bundle or offer
     * was refused on its merits (same input, same answer) and false for runtime failures worth retrying.
     */
    record Failed(String version, String reason, boolean refused) implements OtaEvent {
    }
}
