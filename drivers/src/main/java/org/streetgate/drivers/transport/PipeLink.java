package org.streetgate.drivers.transport;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/** One end of an in-memory serial pair: what one end writes, the other reads. */
public final class PipeLink implements SerialLink {
    /** A bounded byte queue; one per direction. */
    private static final class Pipe {
        private final byte[] buf = new byte[64 * 1024];
        private int head;
        private int size;
        private boolean closed;
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();

        void write(byte[] data) throws IOException {
            lock.lock();
            try {
                int i = 0;
                while (i < data.length) {
                    if (closed) {
                        throw new IOException("link closed");
                    }
                    if (size == buf.length) {
                        try {
                            changed.await(100, TimeUnit.MILLISECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            throw new java.io.InterruptedIOException("write interrupted");
                        }
                        continue;
                    }
                    buf[(head + size) % buf.length] = data[i++];
                    size++;
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        int read(byte[] out, int off, int len, Duration timeout) throws IOException {
            lock.lock();
            try {
                long nanos = timeout.toNanos();
                while (size == 0) {
                    if (closed) {
                        throw new IOException("link closed");
                    }
                    if (nanos <= 0) {
                        return 0;
                    }
                    try {
                        nanos = changed.awaitNanos(nanos);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new java.io.InterruptedIOException("read interrupted");
                    }
                }
                int n = Math.min(len, size);
                for (int i = 0; i < n; i++) {
                    out[off + i] = buf[(head + i) % buf.length];
                }
                head = (head + n) % buf.length;
                size -= n;
                changed.signalAll();
                return n;
            } finally {
                lock.unlock();
            }
        }

        void clear() {
            lock.lock();
            try {
                head = 0;
                size = 0;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        void close() {
            lock.lock();
            try {
                closed = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }
    }

    private final String name;
    private final Pipe in;
    private final Pipe out;

    private PipeLink(String name, Pipe in, Pipe out) {
        this.name = name;
        this.in = in;
        this.out = out;
    }

    /** Two connected ends: {@code [0]} for the driver, {@code [1]} for the simulator. */
    public static PipeLink[] pair(String name) {
        Pipe a = new Pipe();
        Pipe b = new Pipe();
        return new PipeLink[] {new PipeLink(name, a, b), new PipeLink(name + " (device side)", b, a)};
    }

    @Override
    public int read(byte[] buf, int off, int len, Duration timeout) throws IOException {
        return in.read(buf, off, len, timeout);
    }

    @Override
    public void write(byte[] data) throws IOException {
        out.write(data);
    }

    @Override
    public void discardInput() {
        in.clear();
    }

    @Override
    public String name() {
        return name;
    }

    /** Closing either end closes both directions, as unplugging a cable would. */
    @Override
    public void close() {
        in.close();
        out.close();
    }
}
