package org.streetgate.drivers.transport;

import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;

/**
 * A byte link to one serial device: a real port ({@link JSerialCommLink}) or one end of an
 * in-memory pair ({@link PipeLink}) with a simulator on the other end.
 */
public interface SerialLink extends Closeable {
    /**
     * Reads what is available, waiting at most {@code timeout} for the first byte.
     *
     * @return the number of bytes read, 0 on timeout
     * @throws IOException when the link is closed or broken (cable pulled)
     */
    int read(byte[] buf, int off, int len, Duration timeout) throws IOException;

    void write(byte[] data) throws IOException;

    /** Discards unread input, e.g. before a request whose answer must not mix with older bytes. */
    void discardInput() throws IOException;

    /** The port path or a descriptive name, for logs and errors. */
    String name();

    /** Reads exactly {@code len} bytes unless {@code timeout} passes first; returns how many arrived. */
    default int readFully(byte[] buf, int off, int len, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        int got = 0;
        while (got < len) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            got += read(buf, off + got, len - got, Duration.ofNanos(left));
        }
        return got;
    }

    /** What {@link #drain} discarded; {@code cut} when the line was still talking at the limit. */
    record Drained(int bytes, boolean cut) {}

    /**
     * Discards what is waiting until the line is quiet for 1 ms, but never more than {@code maxBytes}
     * or longer than {@code maxTime}: a noisy line never falls quiet, and a driver holding a bus or a
     * printer while it waits would wedge every other user.
     */
    default Drained drain(int maxBytes, Duration maxTime) throws IOException {
        byte[] junk = new byte[64];
        long deadline = System.nanoTime() + maxTime.toNanos();
        int dropped = 0;
        int n;
        while ((n = read(junk, 0, Math.min(junk.length, Math.max(1, maxBytes - dropped)), Duration.ofMillis(1))) > 0) {
            dropped += n;
            if (dropped >= maxBytes || System.nanoTime() >= deadline) {
                return new Drained(dropped, true);
            }
        }
        return new Drained(dropped, false);
    }
}
