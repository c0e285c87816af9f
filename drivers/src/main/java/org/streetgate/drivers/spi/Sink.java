package org.streetgate.drivers.spi;

/**
 * Where drivers put readings and events. {@link #accept} returns only once the message is durably
 * stored, so a driver may forget a value as soon as the call returns.
 */
@FunctionalInterface
public interface Sink {
    void accept(Message message) throws InterruptedException;
}
