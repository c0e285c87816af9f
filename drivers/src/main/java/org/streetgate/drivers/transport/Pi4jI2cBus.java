package org.streetgate.drivers.transport;

import com.pi4j.context.Context;
import com.pi4j.io.i2c.I2C;
import com.pi4j.io.i2c.I2CConfigBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.tinylog.Logger;

/** A real I2C bus through Pi4J's linuxfs plugin ({@code /dev/i2c-N}). */
public final class Pi4jI2cBus implements I2cBus {
    private final int number;
    private final Context context;
    private final Map<Integer, I2C> handles = new ConcurrentHashMap<>();
    private final ReentrantLock lock = new ReentrantLock(true);

    private Pi4jI2cBus(int number, Context context) {
        this.number = number;
        this.context = context;
    }

    /** Opens bus {@code number}; fails with the usual fixes when its device file is missing or closed to us. */
    public static Pi4jI2cBus open(int number) {
        Path dev = Path.of("/dev/i2c-" + number);
        if (!Files.exists(dev)) {
            throw new I2cException(dev + " does not exist: enable I2C (raspi-config, or dtparam=i2c_arm=on in "
                    + "/boot/firmware/config.txt) and reboot");
        }
        if (!Files.isReadable(dev) || !Files.isWritable(dev)) {
            throw new I2cException("permission denied on " + dev + ": add the gateway's user to the i2c group "
                    + "(sudo usermod -aG i2c $USER) and log in again");
        }
        try {
            return new Pi4jI2cBus(number, Pi4jContexts.realI2c());
        } catch (RuntimeException | LinkageError e) {
            throw new I2cException("cannot start Pi4J I2C on " + dev + ": " + e, e);
        }
    }

    @Override
    public int number() {
        return number;
    }

    @Override
    public boolean simulated() {
        return false;
    }

    private I2C handle(int address) {
        try {
            return handles.computeIfAbsent(address, a -> context.create(I2CConfigBuilder.newInstance(context)
                    .id(String.format("i2c-%d-%02x", number, a)).bus(number).device(a).provider("linuxfs-i2c")));
        } catch (RuntimeException e) {
            throw new I2cException(String.format("cannot open I2C address 0x%02X on bus %d: %s", address, number,
                    e.getMessage()), e);
        }
    }

    @Override
    public <T> T exchange(int address, Duration lockTimeout, Exchange<T> body) throws InterruptedException {
        if (!lock.tryLock(lockTimeout.toNanos(), TimeUnit.NANOSECONDS)) {
            throw new BusLockTimeoutException("failed to get I2C bus " + number + " within " + lockTimeout.toMillis() + " ms");
        }
        try {
            I2C i2c = handle(address);
            return body.run(new Device() {
                @Override
                public int address() {
                    return address;
                }

                @Override
                public int read(int register) {
                    try {
                        int v = i2c.readRegister(register);
                        if (v < 0) {
                            throw I2cException.noAnswer(number, address, "read of register " + register + " failed");
                        }
                        return v & 0xFF;
                    } catch (RuntimeException e) {
                        throw wrap(e);
                    }
                }

                @Override
                public void read(int register, byte[] into) {
                    try {
                        int n = i2c.readRegister(register, into, 0, into.length);
                        if (n != into.length) {
                            throw I2cException.noAnswer(number, address, "burst read returned " + n + " of " + into.length);
                        }
                    } catch (RuntimeException e) {
                        throw wrap(e);
                    }
                }

                @Override
                public void write(int register, int value) {
                    try {
                        i2c.writeRegister(register, (byte) value);
                    } catch (RuntimeException e) {
                        throw wrap(e);
                    }
                }

                private I2cException wrap(RuntimeException e) {
                    return e instanceof I2cException i ? i : I2cException.noAnswer(number, address, e.getMessage());
                }
            });
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        try {
            context.shutdown();
        } catch (RuntimeException e) {
            Logger.warn("closing I2C bus {}: {}", number, e.getMessage());
        }
    }
}
