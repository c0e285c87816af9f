package org.streetgate.ota;

/**
 * Receives {@link OtaEvent}s, on the agent's threads. The runtime appends them to its outbox, which is
 * durable: once {@code onEvent} returns, an outcome counts as reported and is not repeated.
 */
@FunctionalInterface
public interface OtaListener {
    void onEvent(OtaEvent event);

    OtaListener NONE = event -> {
    };
}
