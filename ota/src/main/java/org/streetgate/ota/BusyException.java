package org.streetgate.ota;

/**
 * Another install holds the install root, or a trial is pending: try again later. The push endpoint
 * answers 409, the CLI exits 2.
 */
public final class BusyException extends OtaException {
    public BusyException(String message) {
        super(message);
    }
}
