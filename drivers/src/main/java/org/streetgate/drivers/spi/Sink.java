package org.streetgate.drivers.spi;

/**
 * Where drivers put readings and events. {@link #accept} returns only once the message is durably
 * stored, so a driver may forget a value as soon as the call returns.
 */
@FunctionalInterface
public interface Sink {
    void accept(Message message) throws InterruptedException;

    /**
     * Stores several messages and returns once all are durably stored. A driver that takes many
     * values at once (a register block, a burst read) uses it so they share one commit.
     */
    default void acceptAll(java.util.List<Message> messages) throws InterruptedException {
        for (Message m : messages) {
            accept(m);
        }
    }
}
