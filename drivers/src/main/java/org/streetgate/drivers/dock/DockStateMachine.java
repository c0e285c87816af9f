package org.streetgate.drivers.dock;

import java.time.Duration;
import java.util.Optional;
import org.streetgate.drivers.dock.DockInputs.CoverReport;

/**
 * The cover as the gateway tracks it: closed, opening, open, closing or abnormal. Pure: time comes
 * in as a monotonic nanosecond count, so tests drive it without sleeping.
 *
 * <p>A motion starts only by a command (the gateway's own or an automatic close) and ends when the
 * PLC's limit switch confirms the target; if it does not within the motion timeout the cover is
 * abnormal (a stalled motor, a jammed cover). Any change the gateway did not ask for, and any PLC
 * cover fault, is abnormal too. Abnormal clears only by a commanded motion that completes.
 */
public final class DockStateMachine {
    public enum CoverState {
        CLOSED, OPENING, OPEN, CLOSING, ABNORMAL;

        /** The DJI-dock cover_state code: 0 closed, 1 open, 2 half-open, 3 abnormal. */
        public int code() {
            return switch (this) {
                case CLOSED -> 0;
                case OPEN -> 1;
                case OPENING, CLOSING -> 2;
                case ABNORMAL -> 3;
            };
        }

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        public boolean moving() {
            return this == OPENING || this == CLOSING;
        }
    }

    public record Transition(CoverState from, CoverState to, String reason) {}

    private final Duration motionTimeout;
    private CoverState state; // null until the PLC has been read once
    private long motionStartedAt;
    private String abnormalReason;

    public DockStateMachine(Duration motionTimeout) {
        if (motionTimeout.isNegative() || motionTimeout.isZero()) {
            throw new IllegalArgumentException("motion timeout must be positive");
        }
        this.motionTimeout = motionTimeout;
    }

    /** The tracked state, empty before the first observation. */
    public Optional<CoverState> state() {
        return Optional.ofNullable(state);
    }

    public boolean moving() {
        return state != null && state.moving();
    }

    /** Why the cover is abnormal, or null. */
    public String abnormalReason() {
        return state == CoverState.ABNORMAL ? abnormalReason : null;
    }

    /** Feeds one PLC report; returns the transition it causes, if any. Also enforces the motion timeout. */
    public Optional<Transition> observe(CoverReport report, long nowNanos) {
        if (state == null) {
            return switch (report) {
                case CLOSED -> to(CoverState.CLOSED, "cover closed at start-up");
                case OPEN -> to(CoverState.OPEN, "cover open at start-up");
                case HALF_OPEN -> abnormal("cover half-open at start-up");
                case FAULT -> abnormal("PLC reports a cover fault at start-up");
            };
        }
        if (report == CoverReport.FAULT) {
            return state == CoverState.ABNORMAL ? Optional.empty() : abnormal("PLC reports a cover fault");
        }
        return switch (state) {
            case OPENING -> report == CoverReport.OPEN ? to(CoverState.OPEN, "cover fully open")
                    : timedOut(nowNanos) ? abnormal("cover did not open within " + seconds() + " (still "
                    + report.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + ")")
                    : Optional.empty();
            case CLOSING -> report == CoverReport.CLOSED ? to(CoverState.CLOSED, "cover fully closed")
                    : timedOut(nowNanos) ? abnormal("cover did not close within " + seconds() + " (still "
                    + report.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-') + ")")
                    : Optional.empty();
            case CLOSED -> report == CoverReport.CLOSED ? Optional.empty()
                    : abnormal("cover left the closed position without a command");
            case OPEN -> report == CoverReport.OPEN ? Optional.empty()
                    : abnormal("cover left the open position without a command");
            case ABNORMAL -> Optional.empty();
        };
    }

    /** Starts opening (a no-op when already open or opening). */
    public Optional<Transition> open(String reason, long nowNanos) {
        return start(CoverState.OPENING, CoverState.OPEN, reason, nowNanos);
    }

    /** Starts closing (a no-op when already closed or closing). */
    public Optional<Transition> close(String reason, long nowNanos) {
        return start(CoverState.CLOSING, CoverState.CLOSED, reason, nowNanos);
    }

    /** The motion stopped from outside (emergency stop, a stop the gateway sent): abnormal if it was moving. */
    public Optional<Transition> halt(String reason) {
        return moving() ? abnormal(reason) : Optional.empty();
    }

    private Optional<Transition> start(CoverState motion, CoverState target, String reason, long nowNanos) {
        if (state == motion || state == target) {
            return Optional.empty();
        }
        motionStartedAt = nowNanos;
        return to(motion, reason);
    }

    private boolean timedOut(long nowNanos) {
        return nowNanos - motionStartedAt > motionTimeout.toNanos();
    }

    private String seconds() {
        long ms = motionTimeout.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
    }

    private Optional<Transition> abnormal(String reason) {
        abnormalReason = reason;
        return to(CoverState.ABNORMAL, reason);
    }

    private Optional<Transition> to(CoverState next, String reason) {
        Transition t = new Transition(state, next, reason);
        state = next;
        return Optional.of(t);
    }
}
