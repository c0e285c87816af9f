package org.streetgate.drivers.transport;

import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;

/** Bytes received but not yet decoded; codecs look at {@link #array()} from 0 to {@link #size()}. */
public final class ReceiveBuffer {
    private byte[] buf;
    private int size;

    public ReceiveBuffer(int capacity) {
        buf = new byte[capacity];
    }

    public byte[] array() {
        return buf;
    }

    public int size() {
        return size;
    }

    /** Reads whatever the link has within {@code timeout}; returns the number of new bytes. */
    public int fill(SerialLink link, Duration timeout) throws IOException {
        if (size == buf.length) {
            buf = Arrays.copyOf(buf, buf.length * 2);
        }
        int n = link.read(buf, size, buf.length - size, timeout);
        size += n;
        return n;
    }

    public void append(byte[] data) {
        if (size + data.length > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + data.length));
        }
        System.arraycopy(data, 0, buf, size, data.length);
        size += data.length;
    }

    /** Drops the first {@code n} decoded or skipped bytes. */
    public void consume(int n) {
        System.arraycopy(buf, n, buf, 0, size - n);
        size -= n;
    }

    public void clear() {
        size = 0;
    }
}
