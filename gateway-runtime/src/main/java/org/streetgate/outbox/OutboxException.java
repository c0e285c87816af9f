package org.streetgate.outbox;

/** The outbox could not store or read records (disk full, I/O error, closed). */
public final class OutboxException extends RuntimeException {
    public OutboxException(String message, Throwable cause) {
        super(message, cause);
    }

    public OutboxException(String message) {
        super(message);
    }
}
