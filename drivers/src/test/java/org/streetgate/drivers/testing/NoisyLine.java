package org.streetgate.drivers.testing;

import java.io.IOException;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.streetgate.drivers.transport.SerialLink;
import org.streetgate.drivers.transport.SerialSimulator;

/**
 * A device with a noisy line: serves {@code device} and, while {@link #flood(boolean)} is on, a second
 * thread writes seeded random bytes onto the same device end every ~0.2 ms, so the driver's side never
 * falls silent (a floating RS-485 pair, a chattering adapter). Bytes in {@code never} are left out, so
 * the noise cannot start a frame of the protocol under test; the device's own writes stay whole.
 */
public final class NoisyLine implements SerialSimulator {
    private final SerialSimulator device;
    private final Random random;
    private final boolean[] excluded = new boolean[256];
    private volatile boolean flooding;
    private final AtomicLong written = new AtomicLong();
    private volatile IOException failure;

    public NoisyLine(SerialSimulator device, long seed, int... never) {
        this.device = device;
        this.random = new Random(seed);
        for (int b : never) {
            excluded[b & 0xFF] = true;
        }
    }

    public void flood(boolean on) {
        flooding = on;
    }

    /** Noise bytes written so far: a test waits on this to know the flood reached the line. */
    public long written() {
        return written.get();
    }

    /** Why the noise stopped early, or null. */
    public IOException failure() {
        return failure;
    }

    @Override
    public void serve(SerialLink link) throws IOException, InterruptedException {
        Thread noise = Thread.ofPlatform().daemon().name("noise").start(() -> writeNoise(link));
        try {
            device.serve(link);
        } finally {
            noise.interrupt();
            noise.join();
        }
    }

    private void writeNoise(SerialLink link) {
        byte[] chunk = new byte[16];
        while (!Thread.currentThread().isInterrupted()) {
            if (flooding) {
                for (int i = 0; i < chunk.length; i++) {
                    int b;
                    do {
                        b = random.nextInt(256);
                    } while (excluded[b]);
                    chunk[i] = (byte) b;
                }
                try {
                    link.write(chunk);
                } catch (IOException e) {
                    failure = e; // the pty went away, or the write failed: a test waiting on written() says so
                    return;
                }
                written.addAndGet(chunk.length);
            }
            LockSupport.parkNanos(200_000);
        }
    }
}
