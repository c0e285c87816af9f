package org.streetgate.ota;

import java.util.LinkedHashMap;
import java.util.Map;
import org.streetgate.ota.slots.OtaState.Phase;

/**
 * What the update agent reports. The runtime turns each into an event record on the {@code events}
 * topic; the names in brackets are the suggested event types.
 */
public sealed interface OtaEvent {

    /** Event type for the outbox: {@code ota.progress}, {@code ota.staged}, {@code ota.committed}, {@code ota.rolled-back}, {@code ota.failed}. */
    default String type() {
        return switch (this) {
            case Progress p -> "ota.progress";
            case RestartRequired r -> "ota.staged";
            case Committed c -> "ota.committed";
            case RolledBack r -> "ota.rolled-back";
            case Failed f -> "ota.failed";
        };
    }

    /** Severity for the outbox: a rollback or a failure is a warning, the rest is info. */
    default String severity() {
        return this instanceof RolledBack || this instanceof Failed ? "warning" : "info";
    }

    /** The event's {@code data} object, JSON-ready (strings and numbers; absent values left out). */
    default Map<String, Object> data() {
        Map<String, Object> d = new LinkedHashMap<>();
        switch (this) {
            case Progress p -> {
                d.put("state", p.state().wireName());
                d.put("percent", p.percent());
                d.put("version", p.version());
            }
            case RestartRequired r -> {
                d.put("version", r.version());
                d.put("release", r.release());
            }
            case Committed c -> {
                d.put("version", c.version());
                d.put("counter", c.releaseCounter());
            }
            case RolledBack r -> {
                d.put("reason", r.reason());
                d.put("failed", r.failedVersion());
                d.put("restored", r.restoredRelease());
            }
            case Failed f -> {
                d.put("version", f.version());
                d.put("reason", f.reason());
                d.put("refused", f.refused());
            }
        }
        d.values().removeIf(java.util.Objects::isNull);
        return d;
    }

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
