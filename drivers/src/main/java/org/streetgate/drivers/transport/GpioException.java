package org.streetgate.drivers.transport;

/** A GPIO pin or chip that cannot be used: taken, missing, or not permitted. */
public final class GpioException extends RuntimeException {
    public GpioException(String message, Throwable cause) {
        super(message, cause);
    }

    public GpioException(String message) {
        super(message);
    }
}
