package org.streetgate.ota;

/**
 * A bundle, an offer or a request is refused on its merits: it is malformed, badly signed, meant for
 * another model, or older than what is installed. Retrying the same input gives the same answer.
 * The CLI maps it to exit code 1; the message is one line that names the offending entry.
 */
public final class BundleException extends OtaException {

    /** Why a bundle was refused; stable names, usable in reports. */
    public enum Reason {
        MALFORMED,
        UNSIGNED,
        BAD_SIGNATURE,
        UNKNOWN_KEY,
        UNLISTED_ENTRY,
        MISSING_ENTRY,
        DUPLICATE_ENTRY,
        UNSAFE_PATH,
        SYMLINK,
        SIZE_MISMATCH,
        HASH_MISMATCH,
        INCOMPATIBLE_MODEL,
        AGENT_TOO_OLD,
        DOWNGRADE,
        REPLAY,
        PREVIOUSLY_FAILED,
        /** The same bundle (by sha256) failed verification before; it is not downloaded again. */
        REFUSED_BEFORE,
        BAD_OFFER
    }

    private final Reason reason;

    public BundleException(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
