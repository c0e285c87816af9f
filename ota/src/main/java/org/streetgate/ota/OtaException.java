package org.streetgate.ota;

/**
 * An update could not be carried out for a runtime reason: I/O, network, disk space, another install
 * in progress. The CLI maps it to exit code 2. Refusals of a bundle on its merits are
 * {@link BundleException}s (exit code 1).
 */
public class OtaException extends RuntimeException {
    public OtaException(String message) {
        super(message);
    }

    public OtaException(String message, Throwable cause) {
        super(message, cause);
    }
}
