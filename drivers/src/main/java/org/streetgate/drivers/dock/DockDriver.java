package org.streetgate.drivers.dock;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import org.streetgate.drivers.modbus.ModbusMaster;
import org.streetgate.drivers.spi.Backoff;
import org.streetgate.drivers.spi.Command;
import org.streetgate.drivers.spi.CommandException;
import org.streetgate.drivers.spi.DeviceContext;
import org.streetgate.drivers.spi.DeviceStatus;
import org.streetgate.drivers.spi.DeviceThread;
import org.streetgate.drivers.spi.Driver;
import org.streetgate.drivers.spi.Message;
import org.streetgate.drivers.transport.Rs485Bus;
import org.tinylog.Logger;

/**
 * A drone dock behind a PLC on Modbus RTU. A virtual thread polls the PLC at the device's
 * {@code poll} and hands each reading to the {@link DockSupervisor}, which decides the automatic
 * safety actions (closing for rain or wind, stopping a stalled motor, the charger off while the cover
 * moves); commands are decided by the same supervisor under the same lock, so a command never acts
 * on a picture older than the last poll. A poll the PLC does not answer marks the device degraded
 * and refuses every command until it answers again (fail safe); a port that cannot be opened marks
 * it offline and is retried with backoff.
 */
public final class DockDriver implements Driver {
    private final DeviceContext<DockConfig> ctx;
    private final DockConfig config;
    private final DeviceStatus status;
    private final DockSupervisor supervisor;
    private final ReentrantLock lock = new ReentrantLock(true);
    private final DeviceThread worker = new DeviceThread();
    private DockPlc plc;
    private DockModel model;

    public DockDriver(DeviceContext<DockConfig> ctx) {
        this.ctx = ctx;
        this.config = ctx.config();
        this.status = ctx.status();
        this.supervisor = new DockSupervisor(ctx.deviceId(), config);
    }

    @Override
    public void start() {
        var settings = ctx.spec().serial().orElseThrow(() ->
                new IllegalStateException("device '" + ctx.deviceId() + "' has no serial settings"));
        Rs485Bus bus = ctx.hardware().rs485(settings, ctx.simulated());
        if (ctx.simulated()) {
            model = DockModel.of(config.simulation());
            bus.simulator(DockSimulator.class, DockSimulator::new).add(config.map(), model);
            Logger.info("{}: simulated drone dock (scenario {}, cover travel {} ms)", ctx.deviceId(),
                    config.simulation().scenario(), config.simulation().coverTravel().toMillis());
        }
        plc = new DockPlc(bus, config.map(),
                new ModbusMaster.Timing(config.responseTimeout(), config.retries(), Duration.ofSeconds(5)), status);
        worker.start("drone-dock " + ctx.deviceId(), this::run);
    }

    /** The simulated dock's model when the device is simulated, else null: demos and tests steer it. */
    public DockModel model() {
        return model;
    }

    /** Stops polling and withdraws any launch permit; the cover stays where it is. */
    @Override
    public void stop() {
        worker.stop();
        lock.lock();
        try {
            if (supervisor.launchPermitted() && plc != null) {
                plc.write(new DockSupervisor.CoilWrite("launch-permit", config.map().coils().launchPermit(), false));
            }
        } catch (IOException | DockPlc.PlcException e) {
            Logger.warn("{}: could not withdraw the launch permit at shutdown: {}", ctx.deviceId(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public DeviceStatus status() {
        return status;
    }

    @Override
    public Map<String, Object> execute(Command command) throws InterruptedException {
        if (!DockSupervisor.ACTIONS.contains(command.action())) {
            throw CommandException.unknownAction(command.device(), command.action());
        }
        if (plc == null || !worker.running()) {
            throw new CommandException(CommandException.Kind.REFUSED, "the dock driver is not running");
        }
        // Decide, act and publish under one lock: a command sees the newest poll, and events leave in
        // the order they happened (publishing waits for the outbox, a few ms to a commit window).
        lock.lockInterruptibly();
        try {
            DockSupervisor.Plan plan = supervisor.plan(command); // throws REFUSED with the interlocks' reasons
            DockSupervisor.Outcome outcome;
            try {
                for (DockSupervisor.CoilWrite w : plan.writes()) {
                    plc.write(w);
                }
            } catch (IOException | DockPlc.PlcException e) {
                status.count("command_failures");
                publish(failed(e).events());
                throw new CommandException(CommandException.Kind.FAILED,
                        command.action() + " failed: " + e.getMessage(), e);
            }
            outcome = supervisor.applied(plan, System.nanoTime());
            updateStatus();
            Logger.info("{}: {} done ({})", ctx.deviceId(), command.action(), outcome.result());
            publish(outcome.events());
            return outcome.result();
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        Duration poll = ctx.poll(Duration.ofMillis(500));
        Backoff backoff = new Backoff(poll, Duration.ofSeconds(30));
        long nextTelemetry = System.nanoTime();
        long nextPoll = System.nanoTime();
        while (worker.running()) {
            try {
                long wait = nextPoll - System.nanoTime();
                if (wait > 0) {
                    Thread.sleep(Duration.ofNanos(wait));
                }
                nextPoll = Math.max(nextPoll + poll.toNanos(), System.nanoTime());
                boolean ok = pollOnce();
                if (ok) {
                    backoff.reset();
                    if (System.nanoTime() - nextTelemetry >= 0) {
                        Map<String, Double> metrics;
                        lock.lock();
                        try {
                            metrics = supervisor.metrics();
                        } finally {
                            lock.unlock();
                        }
                        if (!metrics.isEmpty()) {
                            ctx.sink().accept(new Message.Reading(ctx.deviceId(), metrics));
                            nextTelemetry = System.nanoTime() + config.telemetryEvery().toNanos();
                        }
                    }
                } else if (status.state() == DeviceStatus.State.OFFLINE) {
                    nextPoll = System.nanoTime() + backoff.next().toNanos();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                // A bug must not end the safety loop: count it, say it, keep polling.
                status.count("internal_errors");
                status.error(e.toString());
                Logger.error(e, "{}: dock poll failed", ctx.deviceId());
            }
        }
    }

    /** One poll: read, decide, act, publish, with the lock held. Returns whether the PLC answered. */
    private boolean pollOnce() throws InterruptedException {
        lock.lockInterruptibly();
        try {
            DockInputs in;
            try {
                in = plc.read();
            } catch (IOException | DockPlc.PlcException e) {
                publish(failed(e).events());
                return false;
            }
            DockSupervisor.Outcome outcome = supervisor.observe(in, System.nanoTime());
            try {
                for (DockSupervisor.CoilWrite w : outcome.writes()) {
                    Logger.info("{}: automatic {} {}", ctx.deviceId(), w.name(), w.on() ? "on" : "off");
                    plc.write(w);
                }
            } catch (IOException | DockPlc.PlcException e) {
                status.count("automatic_write_failures");
                publish(outcome.events());
                publish(failed(e).events());
                return false;
            }
            updateStatus();
            publish(outcome.events());
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Records a failed exchange with the PLC; call with the lock held. A refusal (an exception code)
     * means the PLC is there, so only silence, corrupt answers and a broken link count as lost contact.
     */
    private DockSupervisor.Outcome failed(Exception e) {
        String why = e.getMessage() == null ? e.toString() : e.getMessage();
        if (e instanceof DockPlc.PlcException p && p.refused()) {
            status.error(why);
            Logger.warn("{}: {}", ctx.deviceId(), why);
            return new DockSupervisor.Outcome(List.of(), List.of(), null);
        }
        boolean linkDown = e instanceof IOException;
        if (linkDown) {
            status.offline(why);
        } else {
            status.degraded("dock PLC not answering: " + why);
        }
        return supervisor.contactLost(why, System.nanoTime()); // its plc.lost alarm is logged when published
    }

    private void updateStatus() {
        String problem = supervisor.problem();
        if (problem != null) {
            status.degraded("cover abnormal: " + problem);
        } else {
            status.ok();
        }
    }

    private void publish(List<Message.Event> events) throws InterruptedException {
        for (Message.Event e : events) {
            if (e.severity() == Message.Severity.ALARM) {
                Logger.warn("{}: {} {}", ctx.deviceId(), e.type(), e.data());
            }
            ctx.sink().accept(e);
        }
    }
}
