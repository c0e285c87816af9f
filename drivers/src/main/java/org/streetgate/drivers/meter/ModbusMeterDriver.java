package org.streetgate.drivers.meter;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.streetgate.drivers.modbus.ModbusException;
import org.streetgate.drivers.modbus.ModbusMaster;
import org.streetgate.drivers.modbus.ModbusSlaveSimulator;
import org.streetgate.drivers.spi.Backoff;
import org.streetgate.drivers.spi.DeviceContext;
import org.streetgate.drivers.spi.DeviceStatus;
import org.streetgate.drivers.spi.DeviceThread;
import org.streetgate.drivers.spi.Driver;
import org.streetgate.drivers.spi.Message;
import org.streetgate.drivers.transport.Rs485Bus;
import org.tinylog.Logger;

/**
 * Polls one Modbus RTU meter (or any register-mapped sensor) on a shared RS-485 bus and publishes
 * one reading per poll. A device that refuses or stops answering shows degraded with the reason; a
 * lost port shows offline, and polling resumes on its own with backoff once the port is back.
 * Every value unchanged for {@code stuck-after} polls is reported as a stuck sensor.
 */
public final class ModbusMeterDriver implements Driver {
    private final DeviceContext<ModbusMeterConfig> ctx;
    private final ModbusMeterConfig config;
    private final DeviceStatus status;
    private final DeviceThread worker = new DeviceThread();
    private Map<String, Double> previous;
    private int unchangedPolls;
    private boolean reportedStuck;
    private List<String> lastInvalid = List.of();

    public ModbusMeterDriver(DeviceContext<ModbusMeterConfig> ctx) {
        this.ctx = ctx;
        this.config = ctx.config();
        this.status = ctx.status();
    }

    @Override
    public void start() {
        worker.start("modbus-meter " + ctx.deviceId(), this::run);
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
        var settings = ctx.spec().serial().orElseThrow(() ->
                new IllegalStateException("device '" + ctx.deviceId() + "' has no serial settings"));
        Rs485Bus bus = ctx.hardware().rs485(settings, ctx.simulated());
        try {
            bus.claimUnit(config.unit(), ctx.deviceId());
        } catch (IllegalStateException e) {
            status.offline(e.getMessage());
            Logger.error("{}: {}", ctx.deviceId(), e.getMessage());
            return;
        }
        try {
            poll(bus);
        } finally {
            bus.releaseUnit(config.unit(), ctx.deviceId());
        }
    }

    private void poll(Rs485Bus bus) {
        if (ctx.simulated()) {
            ModbusMeterSimulator.install(bus.simulator(ModbusSlaveSimulator.class, ModbusSlaveSimulator::new),
                    config, ctx.deviceId().hashCode());
        }
        ModbusMaster master = new ModbusMaster(bus, config.timing(), status);
        ReadPlan plan = ReadPlan.of(config.registers(), config.maxGap());
        Logger.info("{}: modbus unit {} on {}{}, {} registers in {} transaction(s) per poll", ctx.deviceId(),
                config.unit(), bus.port(), ctx.simulated() ? " (simulated)" : "", config.registers().size(),
                plan.blocks().size());
        Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30));
        Duration poll = ctx.poll(Duration.ofSeconds(10));
        long next = System.nanoTime();
        while (worker.running()) {
            try {
                pollOnce(master, plan);
                backoff.reset();
                next += poll.toNanos();
            } catch (IOException e) {
                if (status.state() != DeviceStatus.State.OFFLINE) {
                    Logger.warn("{}: {}; retrying with backoff", ctx.deviceId(), e.getMessage());
                }
                status.offline(e.getMessage());
                status.count("reconnects");
                next = System.nanoTime() + backoff.next().toNanos();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                Logger.error(e, "{}: poll failed", ctx.deviceId());
                status.degraded(String.valueOf(e.getMessage()));
                next += poll.toNanos();
            }
            long wait = next - System.nanoTime();
            if (wait < 0) {
                next = System.nanoTime(); // fell behind (slow bus): do not burst to catch up
                continue;
            }
            try {
                Thread.sleep(Duration.ofNanos(wait));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void pollOnce(ModbusMaster master, ReadPlan plan) throws IOException, InterruptedException {
        Map<String, Double> metrics = new LinkedHashMap<>();
        List<String> invalid = new ArrayList<>();
        String failure = null;
        for (ReadPlan.Block b : plan.blocks()) {
            try {
                int[] regs = b.function() == 3 ? master.readHolding(config.unit(), b.start(), b.count())
                        : master.readInput(config.unit(), b.start(), b.count());
                for (MeterRegister r : b.registers()) {
                    switch (r.decode(regs, b.start())) {
                        case MeterRegister.Value v -> metrics.put(r.metric(), v.value());
                        case MeterRegister.Invalid i -> invalid.add(i.metric() + " (" + i.reason() + ")");
                    }
                }
            } catch (ModbusException e) {
                status.count("failed_reads");
                failure = e.getMessage();
            }
        }
        if (!invalid.isEmpty()) {
            // Left out of the reading, never published as a number; the rest still goes out.
            status.add(DeviceStatus.INVALID_VALUES, invalid.size());
            if (!invalid.equals(lastInvalid)) {
                Logger.warn("{}: left out values the meter could not measure: {}", ctx.deviceId(), invalid);
            }
        }
        lastInvalid = invalid;
        String stuck = checkStuck(metrics);
        // Status first, so whoever sees the reading also sees the state that goes with it.
        if (failure == null && metrics.isEmpty() && !invalid.isEmpty()) {
            status.degraded("every value invalid: " + String.join(", ", invalid));
        } else if (failure != null) {
            if (status.state() != DeviceStatus.State.DEGRADED) {
                Logger.warn("{}: {}", ctx.deviceId(), failure);
            }
            status.degraded(failure);
        } else if (stuck != null) {
            status.degraded(stuck);
        } else {
            if (status.state() == DeviceStatus.State.OFFLINE || status.state() == DeviceStatus.State.DEGRADED) {
                Logger.info("{}: answering again", ctx.deviceId());
            }
            status.ok();
        }
        if (!metrics.isEmpty()) {
            ctx.sink().accept(new Message.Reading(ctx.deviceId(), metrics));
            status.count("readings");
        }
        if (stuck != null && !reportedStuck) {
            reportedStuck = true;
            ctx.sink().accept(new Message.Event(ctx.deviceId(), "meter.stuck", Message.Severity.WARNING,
                    Map.of("unchanged_polls", unchangedPolls)));
        }
    }

    private String checkStuck(Map<String, Double> metrics) {
        if (config.stuckAfter() == 0 || metrics.isEmpty()) {
            return null;
        }
        unchangedPolls = metrics.equals(previous) ? unchangedPolls + 1 : 0;
        previous = metrics;
        if (unchangedPolls < config.stuckAfter()) {
            reportedStuck = false;
            return null;
        }
        String why = "every value unchanged for " + unchangedPolls + " polls (sensor stuck?)";
        return why;
    }
}
