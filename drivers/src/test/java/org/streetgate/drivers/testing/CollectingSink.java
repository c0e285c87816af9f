package org.streetgate.drivers.testing;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.streetgate.drivers.spi.Message;
import org.streetgate.drivers.spi.Sink;

/**
 * A sink for driver tests: keeps every message and lets a test wait for the next ones. {@link #next}
 * and {@link #event} skip messages on the way to the one asked for, but nothing is lost: every
 * message ever accepted stays in {@link #received()}, so a test can count duplicates it skipped.
 */
public final class CollectingSink implements Sink {
    private final LinkedBlockingQueue<Message> queue = new LinkedBlockingQueue<>();
    private final List<Message> received = new CopyOnWriteArrayList<>();

    @Override
    public void accept(Message message) {
        received.add(message);
        queue.add(message);
    }

    /** Every message accepted so far, in order, whether or not a test has taken it. */
    public List<Message> received() {
        return List.copyOf(received);
    }

    /** Every event of {@code type} accepted so far, in order. */
    public List<Message.Event> events(String type) {
        return received.stream()
                .filter(m -> m instanceof Message.Event e && e.type().equals(type))
                .map(m -> (Message.Event) m)
                .toList();
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

    /** The next message of {@code type}; others on the way are skipped here (still in {@link #received()}). */
    public <T extends Message> T next(Class<T> type, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Message> skipped = new ArrayList<>();
        while (true) {
            Message m = queue.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (m == null) {
                throw new AssertionError("no " + type.getSimpleName() + " within " + timeout + "; skipped " + skipped);
            }
            if (type.isInstance(m)) {
                return type.cast(m);
            }
            skipped.add(m);
        }
    }

    /** The next event of {@code type}; others on the way are skipped here (still in {@link #received()}). */
    public Message.Event event(String type, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<Message> skipped = new ArrayList<>();
        while (true) {
            Message m = queue.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (m == null) {
                throw new AssertionError("no " + type + " event within " + timeout + "; skipped " + skipped);
            }
            if (m instanceof Message.Event e && e.type().equals(type)) {
                return e;
            }
            skipped.add(m);
        }
    }
}
