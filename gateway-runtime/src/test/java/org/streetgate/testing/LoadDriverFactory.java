package org.streetgate.testing;

import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;
import org.streetgate.drivers.config.ConfigReader;
import org.streetgate.drivers.spi.DeviceContext;
import org.streetgate.drivers.spi.DeviceStatus;
import org.streetgate.drivers.spi.Driver;
import org.streetgate.drivers.spi.DriverFactory;
import org.streetgate.drivers.spi.Message;

/**
 * A test device that produces numbered readings as fast as the outbox takes them, from several
 * producers at once. Each reading carries {@code p} (producer) and {@code n} (its number), so the
 * platform side can check which acknowledged readings arrived. Acknowledgements can be reported
 * on a stream ("ack p n", every {@code report-every} readings) for a test watching a child process.
 */
public final class LoadDriverFactory implements DriverFactory<LoadDriverFactory.Config> {
    public record Config(int producers, long count, int reportEvery, long pauseMicros) {}

    private final PrintStream acks;

    public LoadDriverFactory(PrintStream acks) {
        this.acks = acks;
    }

    @Override
    public String name() {
        return "load";
    }

    @Override
    public Config parseConfig(ConfigReader r) {
        return new Config(r.integer("producers", 4, 1, 64), r.integer("count", 1_000_000, 1, Integer.MAX_VALUE),
                r.integer("report-every", 100, 1, 1_000_000), r.integer("pause-us", 0, 0, 10_000_000));
    }

    @Override
    public Driver create(DeviceContext<Config> ctx) {
        return new LoadDriver(ctx, acks);
    }

    public static final class LoadDriver implements Driver {
        private final DeviceContext<Config> ctx;
        private final PrintStream acks;
        private final AtomicLongArray acked;
        private volatile boolean running;
        private Thread[] threads;

        LoadDriver(DeviceContext<Config> ctx, PrintStream acks) {
            this.ctx = ctx;
            this.acks = acks;
            this.acked = new AtomicLongArray(ctx.config().producers());
            for (int i = 0; i < acked.length(); i++) {
                acked.set(i, -1);
            }
        }

        /** The highest n of producer p whose append returned, or -1. */
        public long acked(int p) {
            return acked.get(p);
        }

        @Override
        public void start() {
            running = true;
            Config c = ctx.config();
            threads = new Thread[c.producers()];
            for (int p = 0; p < c.producers(); p++) {
                int producer = p;
                threads[p] = Thread.ofVirtual().start(() -> produce(producer, c));
            }
            ctx.status().ok();
        }

        private void produce(int p, Config c) {
            try {
                for (long n = 0; n < c.count() && running; n++) {
                    ctx.sink().accept(new Message.Reading(ctx.deviceId(), Map.of("p", (double) p, "n", (double) n)));
                    acked.set(p, n);
                    if (acks != null && n % c.reportEvery() == 0) {
                        acks.println("ack " + p + " " + n);
                        acks.flush();
                    }
                    if (c.pauseMicros() > 0) {
                        Thread.sleep(c.pauseMicros() / 1000, (int) (c.pauseMicros() % 1000) * 1000);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                if (running) {
                    ctx.status().degraded(e.getMessage());
                }
            }
        }

        @Override
        public void stop() {
            running = false;
            for (Thread t : threads) {
                t.interrupt();
            }
            for (Thread t : threads) {
                try {
                    t.join(5000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }

        @Override
        public DeviceStatus status() {
            return ctx.status();
        }
    }
}
