package org.streetgate.drivers.pms5003;

import java.io.IOException;
import java.time.Duration;
import java.util.Random;
import org.streetgate.drivers.transport.ReceiveBuffer;
import org.streetgate.drivers.transport.SerialLink;
import org.streetgate.drivers.transport.SerialSimulator;

/**
 * A PMS5003 in software. Starts in active mode like the real sensor, answers mode, read, sleep and
 * wake commands, sends {@code warmupFrames} all-zero frames after power-on or wake (and all-zero
 * frames for {@link #warmupTime} after a wake), and lets its particle concentration drift as a
 * slow random walk. Misbehaviour for tests: {@link #silent}, {@link #corruptNext},
 * {@link #garbageBeforeNext}, {@link #stuck}.
 */
public final class Pms5003Simulator implements SerialSimulator {
    private final Random random;
    private final Duration activeInterval;
    private final int warmupFrames;
    private double pm25;
    private double level = 15;
    private boolean active = true;
    private volatile boolean asleep;
    private int warmupLeft;
    private long framesSent;
    private Duration warmupTime = Duration.ZERO;
    private long warmUntil;
    private boolean silent;
    private int corruptLeft;
    private int garbageBytes;
    private boolean stuck;
    private Pms5003Frame last;
    private long wakes;
    private long sleeps;

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

    /** After each wake, frames are all zero for this long, as the fan spins up. */
    public synchronized Pms5003Simulator warmupTime(Duration d) {
        warmupTime = d;
        return this;
    }

    /** A silent sensor ignores commands and streams nothing (dead, unpowered, or TX not wired). */
    public synchronized void silent(boolean on) {
        silent = on;
    }

    /** The next {@code n} frames go out with a wrong checksum. */
    public synchronized void corruptNext(int n) {
        corruptLeft = n;
    }

    /** Line noise: {@code n} junk bytes before the next frame. */
    public synchronized void garbageBeforeNext(int n) {
        garbageBytes = n;
    }

    /** A stuck sensor sends its last frame again and again. */
    public synchronized void stuck(boolean on) {
        stuck = on;
    }

    public synchronized boolean asleep() {
        return asleep;
    }

    public synchronized long wakes() {
        return wakes;
    }

    public synchronized long sleeps() {
        return sleeps;
    }

    /** The next frame the sensor would send; the concentration moves a little each time. */
    public synchronized Pms5003Frame nextFrame() {
        if (stuck && last != null) {
            return last;
        }
        if (System.nanoTime() < warmUntil) {
            return new Pms5003Frame(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x97, 0);
        }
        if (warmupLeft > 0) {
            warmupLeft--;
            return new Pms5003Frame(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x97, 0);
        }
        pm25 = Math.max(1, Math.min(300, pm25 + random.nextGaussian() * 1.5 + (level - pm25) * 0.02));
        int p25 = (int) Math.round(pm25);
        int p1 = (int) Math.round(pm25 * 0.65);
        int p10 = (int) Math.round(pm25 * 1.35 + random.nextDouble() * 2);
        int n03 = p25 * 60 + random.nextInt(50);
        last = new Pms5003Frame(cf1(p1), cf1(p25), cf1(p10), p1, p25, p10,
                n03, n03 / 3, n03 / 12, n03 / 60, n03 / 200, n03 / 500, 0x97, 0);
        return last;
    }

    /**
     * The "CF=1" (standard particle) value for an atmospheric one. On real sensors the two agree in
     * clean air and CF=1 reads higher once the concentration passes about 30 µg/m³; this keeps that
     * shape (equal below 30, then 1.5 times minus 15), so a driver publishing the wrong set is caught.
     */
    static int cf1(int atmospheric) {
        return atmospheric < 30 ? atmospheric : (int) Math.round(atmospheric * 1.5 - 15);
    }

    /** The concentration the air drifts towards (PM2.5 µg/m³, default 15): a smoky day for a test. */
    public synchronized void pollution(double pm25UgM3) {
        level = pm25UgM3;
        pm25 = pm25UgM3;
    }

    /** The last measurement frame sent (null before the first). */
    public synchronized Pms5003Frame lastFrame() {
        return last;
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
            if (isSilent()) {
                rx.clear();
                continue;
            }
            handleCommands(rx, link);
            if (active && !asleep && System.nanoTime() >= nextActive) {
                sendFrame(link);
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
                    sendFrame(link);
                }
            }
            case Pms5003Codec.CMD_SLEEP -> {
                if (c.data() == 0) {
                    asleep = true;
                    synchronized (this) {
                        sleeps++;
                    }
                    send(link, Pms5003Codec.ack(c.command(), c.data()));
                } else if (asleep) {
                    // Waking restarts the fan: no acknowledgement, and warm-up frames again.
                    asleep = false;
                    synchronized (this) {
                        warmupLeft = warmupFrames;
                        warmUntil = System.nanoTime() + warmupTime.toNanos();
                        wakes++;
                    }
                }
            }
            default -> { } // the real sensor ignores unknown commands
        }
    }

    private synchronized boolean isSilent() {
        return silent;
    }

    private void sendFrame(SerialLink link) throws IOException {
        byte[] frame = Pms5003Codec.encode(nextFrame());
        byte[] noise;
        synchronized (this) {
            if (corruptLeft > 0) {
                corruptLeft--;
                frame[31] ^= 0x5A;
            }
            noise = new byte[garbageBytes];
            garbageBytes = 0;
        }
        for (int i = 0; i < noise.length; i++) {
            noise[i] = (byte) (i % 2 == 0 ? 0x42 : 0x13); // start-byte look-alikes make resync work for it
        }
        if (noise.length > 0) {
            link.write(noise);
        }
        send(link, frame);
    }

    private void send(SerialLink link, byte[] bytes) throws IOException {
        link.write(bytes);
        synchronized (this) {
            framesSent++;
        }
    }
}
