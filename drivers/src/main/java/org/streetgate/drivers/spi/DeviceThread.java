package org.streetgate.drivers.spi;

import java.time.Duration;

/**
 * The virtual thread a driver runs its device loop on. {@link #stop(Runnable)} clears
 * {@link #running()}, interrupts the loop, runs an unblocking step (closing the port, so that a read
 * blocked in native code returns), and waits for the loop to end.
 */
public final class DeviceThread {
    private static final Duration JOIN = Duration.ofSeconds(5);
    private volatile boolean running;
    private volatile Thread thread;

    public void start(String name, Runnable loop) {
        running = true;
        thread = Thread.ofVirtual().name(name).start(loop);
    }

    /** False once stopping began: the loop should finish its step and return. */
    public boolean running() {
        return running;
    }

    public void stop() {
        stop(() -> { });
    }

    public void stop(Runnable unblock) {
        running = false;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
        unblock.run();
        if (t != null) {
            try {
                t.join(JOIN);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
