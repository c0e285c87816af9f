package org.streetgate.drivers.gpio;

import java.time.Duration;
import java.util.Map;
import org.streetgate.drivers.spi.Command;
import org.streetgate.drivers.spi.CommandException;
import org.streetgate.drivers.spi.DeviceContext;
import org.streetgate.drivers.spi.DeviceStatus;
import org.streetgate.drivers.spi.Driver;
import org.streetgate.drivers.spi.Message;
import org.streetgate.drivers.transport.Gpio;
import org.streetgate.drivers.transport.GpioException;
import org.tinylog.Logger;

/**
 * A relay or other switched load on a GPIO pin. It is driven to its safe state at start (before
 * anything else can happen), after every pulse and at shutdown. Commands: {@code on}, {@code off},
 * {@code pulse {ms}} (on for ms, then back to the safe state), {@code state}.
 */
public final class GpioOutputDriver implements Driver {
    private final DeviceContext<GpioOutputConfig> ctx;
    private final GpioOutputConfig config;
    private final DeviceStatus status;
    private final Object lock = new Object();
    private Gpio.Output out;
    private boolean on;

    public GpioOutputDriver(DeviceContext<GpioOutputConfig> ctx) {
        this.ctx = ctx;
        this.config = ctx.config();
        this.status = ctx.status();
    }

    private boolean electrical(boolean logicalOn) {
        return logicalOn != config.activeLow();
    }

    @Override
    public void start() {
        synchronized (lock) {
            try {
                Gpio gpio = ctx.hardware().gpio(ctx.simulated());
                boolean safe = electrical(config.safeOn());
                out = gpio.output(config.pin(), safe, safe);
                on = config.safeOn();
                status.ok();
                Logger.info("{}: GPIO {} output via {}{}, safe state {}", ctx.deviceId(), config.pin(), gpio.provider(),
                        ctx.simulated() ? " (simulated)" : "", config.safeOn() ? "on" : "off");
            } catch (GpioException e) {
                status.offline(e.getMessage());
                Logger.warn("{}: {}", ctx.deviceId(), e.getMessage());
            }
        }
    }

    @Override
    public void stop() {
        synchronized (lock) {
            if (out != null) {
                out.close(); // drives the safe state
                out = null;
                on = config.safeOn();
            }
        }
    }

    @Override
    public DeviceStatus status() {
        return status;
    }

    /** Whether the load is on, as last driven. */
    public boolean isOn() {
        synchronized (lock) {
            return on;
        }
    }

    @Override
    public Map<String, Object> execute(Command command) throws InterruptedException {
        synchronized (lock) {
            if (!command.action().equals("state") && out == null) {
                throw new CommandException(CommandException.Kind.FAILED, "GPIO " + config.pin() + " of '"
                        + ctx.deviceId() + "' is not available: " + status.snapshot().lastError());
            }
            switch (command.action()) {
                case "on" -> drive(true);
                case "off" -> drive(false);
                case "pulse" -> pulse(command);
                case "state" -> { }
                default -> throw CommandException.unknownAction(command.device(), command.action());
            }
            return Map.of("state", on ? "on" : "off");
        }
    }

    private void pulse(Command command) throws InterruptedException {
        int ms = command.intArg("ms");
        if (ms <= 0 || ms > config.maxPulse().toMillis()) {
            throw new CommandException(CommandException.Kind.BAD_ARGUMENT,
                    "pulse ms must be 1.." + config.maxPulse().toMillis() + ", not " + ms);
        }
        boolean active = !config.safeOn();
        drive(active);
        try {
            Thread.sleep(ms);
        } finally {
            drive(config.safeOn()); // back to safe even when interrupted
        }
    }

    private void drive(boolean wantOn) throws InterruptedException {
        try {
            out.set(electrical(wantOn));
        } catch (GpioException e) {
            status.degraded(e.getMessage());
            throw new CommandException(CommandException.Kind.FAILED, e.getMessage(), e);
        }
        status.count("switches");
        if (wantOn != on) {
            on = wantOn;
            String type = wantOn ? config.onEvent() : config.offEvent();
            if (type != null) {
                ctx.sink().accept(new Message.Event(ctx.deviceId(), type, Message.Severity.INFO,
                        Map.of("pin", config.pin(), "state", wantOn ? "on" : "off")));
            }
        }
    }
}
