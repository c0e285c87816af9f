package org.streetgate.drivers.transport;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.tinylog.Logger;

/**
 * The one owner of an RS-485 port that several devices (Modbus unit ids) share. Every
 * request/response exchange runs under a fair lock, so answers never interleave. The port opens on
 * first use; an I/O failure closes it and the next exchange tries to open it again, so a pulled
 * and re-plugged adapter recovers without anyone holding a stale handle.
 *
 * <p>When simulated, one in-process device side serves every unit on the bus, like the real
 * wire: the first driver to ask creates it with {@link #simulator}, the others add their units.
 */
public final class Rs485Bus implements AutoCloseable {
    /** One exchange on the bus, with the bus held. */
    @FunctionalInterface
    public interface Exchange<T> {
        T run(SerialLink link) throws IOException, InterruptedException;
    }

    private final SerialSettings settings;
    private final boolean simulated;
    private final SerialLinks links;
    private final ReentrantLock lock = new ReentrantLock(true);
    private SerialLink link;
    private SerialSimulator simulator;
    private boolean closed;
    private final java.util.Map<Integer, String> units = new java.util.HashMap<>();

    public Rs485Bus(SerialSettings settings, boolean simulated, SerialLinks links) {
        this.settings = settings;
        this.simulated = simulated;
        this.links = links;
    }

    public SerialSettings settings() {
        return settings;
    }

    public String port() {
        return settings.port();
    }

    public boolean simulated() {
        return simulated;
    }

    /**
     * Records that {@code device} talks to {@code unit} on this bus. Two devices with one unit id on
     * one pair would read each other's registers and collide on the wire.
     *
     * @throws IllegalStateException naming both devices when the unit id is taken
     */
    public synchronized void claimUnit(int unit, String device) {
        String other = units.putIfAbsent(unit, device);
        if (other != null && !other.equals(device)) {
            throw new IllegalStateException("devices '" + other + "' and '" + device + "' both use modbus unit "
                    + unit + " on " + port() + "; give each device on a bus its own unit id");
        }
    }

    /** Gives up a unit id claimed by {@code device}, when it stops. */
    public synchronized void releaseUnit(int unit, String device) {
        units.remove(unit, device);
    }

    /**
     * The simulator on this bus's device side, made by {@code make} on first call. Devices of the
     * same protocol share it; a second protocol on the same simulated port is a wiring error.
     */
    public synchronized <S extends SerialSimulator> S simulator(Class<S> type, Supplier<S> make) {
        if (!simulated) {
            throw new IllegalStateException("RS-485 bus " + port() + " is real hardware, not simulated");
        }
        if (simulator == null) {
            simulator = make.get();
        }
        if (!type.isInstance(simulator)) {
            throw new IllegalStateException("simulated RS-485 bus " + port() + " already runs a "
                    + simulator.getClass().getSimpleName() + "; a " + type.getSimpleName() + " cannot share it");
        }
        return type.cast(simulator);
    }

    /**
     * Runs {@code body} with the bus held, waiting at most {@code lockTimeout} for it.
     *
     * @throws BusLockTimeoutException when another device kept the bus longer than that
     * @throws IOException when the port cannot be opened or fails during the exchange (it is then
     *                     closed, and reopened by a later exchange)
     */
    public <T> T exchange(Duration lockTimeout, Exchange<T> body) throws IOException, InterruptedException {
        if (!lock.tryLock(lockTimeout.toNanos(), TimeUnit.NANOSECONDS)) {
            throw new BusLockTimeoutException("failed to get the RS-485 bus " + port() + " within "
                    + lockTimeout.toMillis() + " ms: another device holds it");
        }
        try {
            if (closed) {
                throw new IOException("RS-485 bus " + port() + " is closed");
            }
            if (link == null) {
                link = open();
            }
            try {
                return body.run(link);
            } catch (IOException e) {
                closeLink();
                throw e;
            }
        } finally {
            lock.unlock();
        }
    }

    private SerialLink open() throws IOException {
        if (!simulated) {
            return links.open(settings);
        }
        SerialSimulator sim;
        synchronized (this) {
            sim = simulator;
        }
        if (sim == null) {
            throw new IOException("simulated RS-485 bus " + port() + " has no simulator attached");
        }
        return links.simulated(settings, sim);
    }

    private void closeLink() {
        if (link != null) {
            try {
                link.close();
            } catch (IOException e) {
                Logger.debug("closing {}: {}", port(), e.getMessage());
            }
            link = null;
        }
    }

    /** Closes the port; later exchanges fail. */
    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            closeLink();
        } finally {
            lock.unlock();
        }
    }
}
