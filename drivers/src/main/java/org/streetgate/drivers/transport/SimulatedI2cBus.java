package org.streetgate.drivers.transport;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/** An I2C bus in memory: device models attached at addresses; an empty address does not answer. */
public final class SimulatedI2cBus implements I2cBus {
    private final int number;
    private final Map<Integer, I2cSimulator> devices = new ConcurrentHashMap<>();
    private final ReentrantLock lock = new ReentrantLock(true);

    public SimulatedI2cBus(int number) {
        this.number = number;
    }

    /** Puts {@code device} at {@code address}; a device already there stays (two drivers, one chip). */
    public <S extends I2cSimulator> S attach(int address, Class<S> type, java.util.function.Supplier<S> make) {
        I2cSimulator d = devices.computeIfAbsent(address, a -> make.get());
        if (!type.isInstance(d)) {
            throw new IllegalStateException(String.format("simulated I2C address 0x%02X on bus %d already holds a %s",
                    address, number, d.getClass().getSimpleName()));
        }
        return type.cast(d);
    }

    /** Removes the device at {@code address}, as if it were unplugged. */
    public void detach(int address) {
        devices.remove(address);
    }

    @Override
    public int number() {
        return number;
    }

    @Override
    public boolean simulated() {
        return true;
    }

    @Override
    public <T> T exchange(int address, Duration lockTimeout, Exchange<T> body) throws InterruptedException {
        if (!lock.tryLock(lockTimeout.toNanos(), TimeUnit.NANOSECONDS)) {
            throw new BusLockTimeoutException("failed to get I2C bus " + number + " within " + lockTimeout.toMillis() + " ms");
        }
        try {
            return body.run(new Device() {
                private I2cSimulator device() {
                    I2cSimulator d = devices.get(address);
                    if (d == null || !d.present()) {
                        throw I2cException.noAnswer(number, address, null);
                    }
                    return d;
                }

                @Override
                public int address() {
                    return address;
                }

                @Override
                public int read(int register) {
                    byte[] one = new byte[1];
                    device().read(register, one);
                    return one[0] & 0xFF;
                }

                @Override
                public void read(int register, byte[] into) {
                    device().read(register, into);
                }

                @Override
                public void write(int register, int value) {
                    device().write(register, value & 0xFF);
                }
            });
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        devices.clear();
    }
}
