package org.streetgate.drivers.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.streetgate.drivers.spi.Message;
import org.streetgate.drivers.spi.Sink;

/** A sink for driver tests: keeps every message and lets a test wait for the next ones. */
public final class CollectingSink implements Sink {
    private final LinkedBlockingQueue<Message> queue = new LinkedBlockingQueue<>();

    @Override
    public void accept(Message message) {
        queue.add(message);
    }

    /** Waits for {@code n} messages, failing with what arrived if they do not within {@code timeout}. */
    public List<Message> take(int n, Duration timeout) throws InterruptedException {
        List<Message> out = new ArrayList<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (out.size() < n) {
            Message m = queue.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (m == null) {
                throw new AssertionError("expected " + n + " messages within " + timeout + ", got " + out);
            }
            out.add(m);
        }
        return out;
    }

    public <T extends Message> T next(Class<T> type, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Message m = queue.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (m == null) {
                throw new AssertionError("no " + type.getSimpleName() + " within " + timeout);
            }
            if (type.isInstance(m)) {
                return type.cast(m);
            }
        }
    }
}
