package org.streetgate.kioskui;

/**
 * Why the kiosk did not do what the person asked. The HTTP layer maps each {@link Reason} to a status
 * code and the screen maps its wire name to a message in the person's language; the message text is
 * for logs and tests and must never contain a code or PIN.
 */
public final class KioskException extends RuntimeException {
    public enum Reason {
        /** The request itself is malformed (missing field, not digits). */
        BAD_REQUEST(400),
        /** No session, or it timed out: log in again. */
        NOT_LOGGED_IN(401),
        /** The code, QR or PIN does not match anything valid. */
        WRONG_CODE(403),
        /** Too many wrong attempts: wait {@link #retryAfterSeconds()}. */
        LOCKED_OUT(429),
        /** No free door of the size asked for. */
        NO_FREE_DOOR(409),
        /** The door did not open (jammed lock, board not answering). */
        DOOR_FAILED(503),
        /** The printer cannot print now (paper out, cover open, offline). */
        PRINTER_UNAVAILABLE(503),
        /** Something the kiosk has no such thing of (unknown action, door). */
        NOT_FOUND(404);

        private final int httpStatus;

        Reason(int httpStatus) {
            this.httpStatus = httpStatus;
        }

        public int httpStatus() {
            return httpStatus;
        }

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }
    }

    private final Reason reason;
    private final long retryAfterSeconds;

    public KioskException(Reason reason, String message) {
        this(reason, message, 0);
    }

    public KioskException(Reason reason, String message, long retryAfterSeconds) {
        super(message);
        this.reason = reason;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public Reason reason() {
        return reason;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }

    public static KioskException lockedOut(long retryAfterSeconds) {
        return new KioskException(Reason.LOCKED_OUT, "too many wrong attempts; wait " + retryAfterSeconds + " s",
                retryAfterSeconds);
    }
}
