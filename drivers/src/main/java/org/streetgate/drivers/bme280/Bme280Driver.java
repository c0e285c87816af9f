package org.streetgate.drivers.bme280;

import java.time.Duration;
import org.streetgate.drivers.spi.Backoff;
import org.streetgate.drivers.spi.DeviceContext;
import org.streetgate.drivers.spi.DeviceStatus;
import org.streetgate.drivers.spi.DeviceThread;
import org.streetgate.drivers.spi.Driver;
import org.streetgate.drivers.spi.Message;
import org.streetgate.drivers.transport.BusLockTimeoutException;
import org.streetgate.drivers.transport.I2cBus;
import org.streetgate.drivers.transport.I2cException;
import org.streetgate.drivers.transport.SimulatedI2cBus;
import org.tinylog.Logger;

/**
 * A BME280 on I2C in forced mode: each poll writes {@code ctrl_hum} then {@code ctrl_meas} (which
 * latches it), waits the datasheet's measurement time, burst-reads the data and compensates it.
 * The chip id is checked and the calibration read at start and after every lost contact; a chip
 * that stops answering shows offline and is sought again with backoff.
 */
public final class Bme280Driver implements Driver {
    private static final Duration BUS_WAIT = Duration.ofSeconds(2);

    private final DeviceContext<Bme280Config> ctx;
    private final Bme280Config config;
    private final DeviceStatus status;
    private final DeviceThread worker = new DeviceThread();
    private Bme280Codec.Raw previousRaw;
    private int unchanged;

    public Bme280Driver(DeviceContext<Bme280Config> ctx) {
        this.ctx = ctx;
        this.config = ctx.config();
        this.status = ctx.status();
    }

    @Override
    public void start() {
        worker.start("bme280 " + ctx.deviceId(), this::run);
    }

    @Override
    public void stop() {
        worker.stop();
    }

    @Override
    public DeviceStatus status() {
        return status;
    }

    private void run() {
        Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(2));
        Duration poll = ctx.poll(Duration.ofSeconds(30));
        while (worker.running()) {
            try {
                I2cBus bus = ctx.hardware().i2c(config.bus(), ctx.simulated());
                if (bus instanceof SimulatedI2cBus sim) {
                    sim.attach(config.address(), Bme280Simulator.class, () -> new Bme280Simulator(
                            config.simEnvironment(), Bme280Simulator.DATASHEET_CALIBRATION, (long) ctx.deviceId().hashCode()));
                }
                Bme280Calibration cal = bus.exchange(config.address(), BUS_WAIT, this::init);
                Logger.info("{}: BME280 at 0x{} on I2C bus {}{}", ctx.deviceId(), Integer.toHexString(config.address()),
                        config.bus(), ctx.simulated() ? " (simulated)" : "");
                backoff.reset();
                long next = System.nanoTime();
                while (worker.running()) {
                    measure(bus, cal);
                    next += poll.toNanos();
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        Thread.sleep(Duration.ofNanos(wait));
                    } else {
                        next = System.nanoTime();
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (I2cException | Bme280Exception | BusLockTimeoutException e) {
                if (status.state() != DeviceStatus.State.OFFLINE) {
                    Logger.warn("{}: {}", ctx.deviceId(), e.getMessage());
                }
                status.offline(e.getMessage());
                status.count("reconnects");
            } catch (RuntimeException e) {
                // A bug or an unexpected library failure: keep the device alive and say so.
                Logger.error(e, "{}: unexpected failure", ctx.deviceId());
                status.offline(String.valueOf(e));
                status.count("reconnects");
            }
            try {
                Thread.sleep(backoff.next());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Checks the chip id, resets the chip and reads its calibration. */
    private Bme280Calibration init(I2cBus.Device dev) throws InterruptedException {
        int id = dev.read(Bme280Codec.REG_CHIP_ID);
        if (id != Bme280Codec.CHIP_ID_BME280) {
            throw Bme280Exception.wrongChip(config.bus(), config.address(), id);
        }
        dev.write(Bme280Codec.REG_RESET, Bme280Codec.RESET_WORD);
        Thread.sleep(2); // start-up time after a soft reset
        long deadline = System.nanoTime() + 50_000_000;
        while ((dev.read(Bme280Codec.REG_STATUS) & Bme280Codec.STATUS_IM_UPDATE) != 0) {
            if (System.nanoTime() > deadline) {
                throw new Bme280Exception("BME280 at 0x" + Integer.toHexString(config.address())
                        + " never finished copying its calibration (status.im_update stuck)");
            }
            Thread.sleep(1);
        }
        byte[] b1 = new byte[Bme280Calibration.BLOCK1_LENGTH];
        byte[] b2 = new byte[Bme280Calibration.BLOCK2_LENGTH];
        dev.read(Bme280Calibration.BLOCK1, b1);
        dev.read(Bme280Calibration.BLOCK2, b2);
        dev.write(Bme280Codec.REG_CONFIG, 0); // no IIR filter: forced mode wants each sample as is
        return Bme280Calibration.parse(b1, b2);
    }

    private void measure(I2cBus bus, Bme280Calibration cal) throws InterruptedException {
        int os = config.osrs();
        bus.exchange(config.address(), BUS_WAIT, dev -> {
            dev.write(Bme280Codec.REG_CTRL_HUM, os);   // takes effect with the ctrl_meas write below
            dev.write(Bme280Codec.REG_CTRL_MEAS, Bme280Codec.ctrlMeas(os, os, Bme280Codec.MODE_FORCED));
            return null;
        });
        long micros = Bme280Codec.maxMeasureMicros(os, os, os);
        Thread.sleep(Duration.ofNanos(micros * 1000));
        byte[] data = bus.exchange(config.address(), BUS_WAIT, dev -> {
            long deadline = System.nanoTime() + micros * 2000;
            while ((dev.read(Bme280Codec.REG_STATUS) & Bme280Codec.STATUS_MEASURING) != 0) {
                if (System.nanoTime() > deadline) {
                    throw new Bme280Exception("BME280 at 0x" + Integer.toHexString(config.address())
                            + " still measuring after twice the datasheet time");
                }
                Thread.sleep(1);
            }
            byte[] d = new byte[Bme280Codec.DATA_LENGTH];
            dev.read(Bme280Codec.REG_DATA, d);
            return d;
        });
        Bme280Codec.Raw raw = Bme280Codec.parseData(data);
        Bme280Codec.Measurement m = Bme280Codec.measure(raw, cal);
        if (!m.invalid().isEmpty()) {
            // Left out, never published as a number; counted so that health shows it.
            status.add(DeviceStatus.INVALID_VALUES, m.invalid().size());
        }
        if (m.metrics().isEmpty()) {
            // A reset (brown-out) or an ignored command: nothing measured. The next poll writes the
            // oversampling settings again, so the chip recovers by itself if it can.
            status.degraded("every value invalid: " + String.join(", ", m.invalid()));
            return;
        }
        String stuck = stuck(raw);
        if (stuck != null) {
            status.degraded(stuck);
        } else {
            status.ok();
        }
        ctx.sink().accept(new Message.Reading(ctx.deviceId(), m.metrics()));
        status.count("readings");
    }

    private String stuck(Bme280Codec.Raw raw) {
        if (config.stuckAfter() == 0) {
            return null;
        }
        // Real readings always move in their lowest bits; identical raw values mean frozen registers.
        unchanged = raw.equals(previousRaw) ? unchanged + 1 : 0;
        previousRaw = raw;
        return unchanged >= config.stuckAfter()
                ? "raw values unchanged for " + unchanged + " polls (data registers frozen?)" : null;
    }
}
