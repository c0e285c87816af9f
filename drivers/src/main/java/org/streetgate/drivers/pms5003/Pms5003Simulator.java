package org.streetgate.drivers.pms5003;

import java.io.IOException;
import java.time.Duration;
import java.util.Random;
import org.streetgate.drivers.transport.ReceiveBuffer;
import org.streetgate.drivers.transport.SerialLink;
import org.streetgate.drivers.transport.SerialSimulator;

/**
 * A PMS5003 in software. Starts in active mode like the real sensor, answers mode, read, sleep and
 * wake commands, sends {@code warmupFrames} all-zero frames after power-on or wake, and lets its
 * particle concentration drift as a slow random walk.
 */
public final class Pms5003Simulator implements SerialSimulator {
    private final Random random;
    private final Duration activeInterval;
    private final int warmupFrames;
    private double pm25;
    private boolean active = true;
    private boolean asleep;
    private int warmupLeft;
    private long framesSent;

    public Pms5003Simulator(long seed, Duration activeInterval, int warmupFrames) {
        this.random = new Random(seed);
        this.activeInterval = activeInterval;
        this.warmupFrames = warmupFrames;
        this.warmupLeft = warmupFrames;
        this.pm25 = 8 + random.nextInt(20);
    }

    public Pms5003Simulator(long seed) {
        this(seed, Duration.ofSeconds(1), 0);
    }

    /** The next frame the sensor would send; the concentration moves a little each time. */
    public synchronized Pms5003Frame nextFrame() {
        if (warmupLeft > 0) {
            warmupLeft--;
            return new Pms5003Frame(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x97, 0);
        }
        pm25 = Math.max(1, Math.min(300, pm25 + random.nextGaussian() * 1.5 + (15 - pm25) * 0.02));
        int p25 = (int) Math.round(pm25);
        int p1 = (int) Math.round(pm25 * 0.65);
        int p10 = (int) Math.round(pm25 * 1.35 + random.nextDouble() * 2);
        int n03 = p25 * 60 + random.nextInt(50);
        return new Pms5003Frame(p1, p25, p10, p1, p25, p10,
                n03, n03 / 3, n03 / 12, n03 / 60, n03 / 200, n03 / 500, 0x97, 0);
    }

    public synchronized long framesSent() {
        return framesSent;
    }

    @Override
    public void serve(SerialLink link) throws IOException {
        ReceiveBuffer rx = new ReceiveBuffer(256);
        long nextActive = System.nanoTime() + activeInterval.toNanos();
        while (!Thread.currentThread().isInterrupted()) {
            long waitNanos = Math.max(1_000_000, nextActive - System.nanoTime());
            rx.fill(link, Duration.ofNanos(Math.min(waitNanos, 50_000_000)));
            handleCommands(rx, link);
            if (active && !asleep && System.nanoTime() >= nextActive) {
                send(link, Pms5003Codec.encode(nextFrame()));
                nextActive = System.nanoTime() + activeInterval.toNanos();
            }
        }
    }

    private void handleCommands(ReceiveBuffer rx, SerialLink link) throws IOException {
        while (rx.size() > 0) {
            switch (Pms5003Codec.decodeHost(rx.array(), 0, rx.size())) {
                case Pms5003Codec.NeedMore n -> {
                    return;
                }
                case Pms5003Codec.Skip s -> rx.consume(s.bytes());
                case Pms5003Codec.HostCommand c -> {
                    rx.consume(c.consumed());
                    execute(c, link);
                }
                default -> throw new IllegalStateException();
            }
        }
    }

    private void execute(Pms5003Codec.HostCommand c, SerialLink link) throws IOException {
        switch (c.command()) {
            case Pms5003Codec.CMD_MODE -> {
                active = c.data() == 1;
                send(link, Pms5003Codec.ack(c.command(), c.data()));
            }
            case Pms5003Codec.CMD_READ -> {
                if (!asleep) {
                    send(link, Pms5003Codec.encode(nextFrame()));
                }
            }
            case Pms5003Codec.CMD_SLEEP -> {
                if (c.data() == 0) {
                    asleep = true;
                    send(link, Pms5003Codec.ack(c.command(), c.data()));
                } else if (asleep) {
                    // Waking restarts the fan: no acknowledgement, and warm-up frames again.
                    asleep = false;
                    synchronized (this) {
                        warmupLeft = warmupFrames;
                    }
                }
            }
            default -> { } // the real sensor ignores unknown commands
        }
    }

    private void send(SerialLink link, byte[] bytes) throws IOException {
        link.write(bytes);
        synchronized (this) {
            framesSent++;
        }
    }
}
