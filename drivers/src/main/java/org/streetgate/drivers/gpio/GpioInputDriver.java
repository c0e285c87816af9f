package org.streetgate.drivers.gpio;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.streetgate.drivers.spi.Backoff;
import org.streetgate.drivers.spi.DeviceContext;
import org.streetgate.drivers.spi.DeviceStatus;
import org.streetgate.drivers.spi.Driver;
import org.streetgate.drivers.spi.Message;
import org.streetgate.drivers.transport.Gpio;
import org.streetgate.drivers.transport.GpioException;
import org.tinylog.Logger;

/**
 * A switch on a GPIO pin (door, tamper, tilt). Raw edges from Pi4J are debounced in software, so
 * the real pin and the simulated one behave the same; each stable level raises its configured
 * event. The level at start is reported too, marked {@code initial}. Counters: {@code edges},
 * {@code bounces}.
 */
public final class GpioInputDriver implements Driver {
    private record Edge(boolean high, long nanos) {}

    private final DeviceContext<GpioInputConfig> ctx;
    private final GpioInputConfig config;
    private final DeviceStatus status;
    private final LinkedBlockingQueue<Edge> edges = new LinkedBlockingQueue<>();
    private volatile boolean running;
    private volatile Thread worker;
    private volatile Thread simulator;

    public GpioInputDriver(DeviceContext<GpioInputConfig> ctx) {
        this.ctx = ctx;
        this.config = ctx.config();
        this.status = ctx.status();
    }

    @Override
    public void start() {
        running = true;
        worker = Thread.ofVirtual().name("gpio-input " + ctx.deviceId()).start(this::run);
    }

    @Override
    public void stop() {
        running = false;
        for (Thread t : new Thread[] {simulator, worker}) {
            if (t != null) {
                t.interrupt();
                try {
                    t.join(Duration.ofSeconds(5));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }

    @Override
    public DeviceStatus status() {
        return status;
    }

    private void run() {
        Backoff backoff = new Backoff(Duration.ofSeconds(1), Duration.ofMinutes(1));
        while (running) {
            Gpio.Input in = null;
            try {
                Gpio gpio = ctx.hardware().gpio(ctx.simulated());
                in = gpio.input(config.pin(), config.pull(), high -> edges.add(new Edge(high, System.nanoTime())));
                Logger.info("{}: GPIO {} input via {}{}", ctx.deviceId(), config.pin(), gpio.provider(),
                        ctx.simulated() ? " (simulated)" : "");
                if (ctx.simulated() && !config.simToggle().isZero()) {
                    simulator = Thread.ofVirtual().name("gpio sim " + config.pin()).start(() -> toggle(gpio));
                }
                watch(in);
                return;
            } catch (GpioException e) {
                status.offline(e.getMessage());
                Logger.warn("{}: {}", ctx.deviceId(), e.getMessage());
            } catch (RuntimeException e) {
                Logger.error(e, "{}: unexpected failure", ctx.deviceId());
                status.offline(String.valueOf(e));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } finally {
                if (in != null) {
                    in.close();
                }
            }
            try {
                Thread.sleep(backoff.next());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void watch(Gpio.Input in) throws InterruptedException {
        Debouncer debouncer = new Debouncer(config.debounce(), logical(in.high()));
        status.ok();
        publish(debouncer.stable(), true);
        while (running) {
            long wait = debouncer.nanosUntilSettled(System.nanoTime());
            Edge e = edges.poll(wait < 0 ? 1_000_000_000L : wait, TimeUnit.NANOSECONDS);
            if (e != null) {
                debouncer.edge(logical(e.high()), e.nanos());
                status.count("edges");
                continue;
            }
            Boolean changed = debouncer.settle(System.nanoTime());
            status.add("bounces", debouncer.bounces() - status.counter("bounces"));
            if (changed != null) {
                publish(changed, false);
            }
        }
    }

    private boolean logical(boolean electricalHigh) {
        return electricalHigh != config.activeLow();
    }

    private void publish(boolean high, boolean initial) throws InterruptedException {
        String type = high ? config.highEvent() : config.lowEvent();
        if (type == null) {
            return;
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("pin", config.pin());
        data.put("level", high ? "high" : "low");
        if (initial) {
            data.put("initial", true);
        }
        ctx.sink().accept(new Message.Event(ctx.deviceId(), type, config.severity(), data));
    }

    /** Simulation: flips the pin every {@code sim-toggle}, as a door opened and closed would. */
    private void toggle(Gpio gpio) {
        boolean level = config.pull() == Gpio.Pull.UP;
        while (running) {
            try {
                Thread.sleep(config.simToggle());
            } catch (InterruptedException e) {
                return;
            }
            level = !level;
            gpio.simulateInput(config.pin(), level);
        }
    }
}
