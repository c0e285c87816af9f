package org.streetgate.drivers.transport;

import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.gpio.digital.DigitalInputConfigBuilder;
import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.io.gpio.digital.DigitalOutputConfigBuilder;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.io.gpio.digital.DigitalStateChangeListener;
import com.pi4j.io.gpio.digital.PullResistance;
import com.pi4j.plugin.mock.provider.gpio.digital.MockDigitalInput;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.tinylog.Logger;

/** {@link Gpio} through a Pi4J context: gpiod/linuxfs on a Pi, the mock plugin in simulation. */
public final class Pi4jGpio implements Gpio {
    private final Context context;
    private final boolean mock;
    private final String provider;
    private final Map<Integer, Object> claimed = new ConcurrentHashMap<>();

    private Pi4jGpio(Context context, boolean mock, String provider) {
        this.context = context;
        this.mock = mock;
        this.provider = provider;
    }

    /** Real pins, through the provider {@link Pi4jContexts#realGpioProvider()} picks. */
    public static Pi4jGpio real() {
        try {
            return new Pi4jGpio(Pi4jContexts.real(), false, Pi4jContexts.realGpioProvider());
        } catch (GpioException e) {
            throw e;
        } catch (RuntimeException | LinkageError e) {
            throw new GpioException("cannot start Pi4J GPIO (" + Pi4jContexts.realGpioProvider() + "): " + e
                    + " (not a Raspberry Pi, or no access to /dev/gpiochip*: add the user to the gpio group)", e);
        }
    }

    /** Simulated pins through Pi4J's mock plugin. */
    public static Pi4jGpio mock() {
        return new Pi4jGpio(Pi4jContexts.mock(), true, "mock");
    }

    @Override
    public String provider() {
        return provider;
    }

    private String providerId(String io) {
        return (mock ? "mock" : provider) + "-digital-" + io;
    }

    @Override
    public Input input(int pin, Pull pull, Consumer<Boolean> onChange) {
        claim(pin, "input");
        DigitalInput in;
        try {
            in = context.create(DigitalInputConfigBuilder.newInstance(context)
                    .id("gpio" + pin).name("GPIO " + pin).address(pin)
                    .pull(switch (pull) {
                        case UP -> PullResistance.PULL_UP;
                        case DOWN -> PullResistance.PULL_DOWN;
                        case NONE -> PullResistance.OFF;
                    })
                    .provider(providerId("input")));
        } catch (RuntimeException e) {
            claimed.remove(pin);
            throw new GpioException("cannot claim GPIO " + pin + " as an input through " + provider + ": "
                    + e.getMessage() + hint(), e);
        }
        if (mock && in instanceof MockDigitalInput m) {
            // The mock has no resistor: start it where the pull would hold an open switch.
            m.mockState(pull == Pull.UP ? DigitalState.HIGH : DigitalState.LOW);
        }
        DigitalStateChangeListener listener = e -> onChange.accept(e.state() == DigitalState.HIGH);
        in.addListener(listener);
        return new Input() {
            @Override
            public boolean high() {
                return in.state() == DigitalState.HIGH;
            }

            @Override
            public void close() {
                in.removeListener(listener);
                release(pin, in.id());
            }
        };
    }

    @Override
    public Output output(int pin, boolean initial, boolean shutdown) {
        claim(pin, "output");
        DigitalOutput out;
        try {
            out = context.create(DigitalOutputConfigBuilder.newInstance(context)
                    .id("gpio" + pin).name("GPIO " + pin).address(pin)
                    .initial(initial ? DigitalState.HIGH : DigitalState.LOW)
                    .shutdown(shutdown ? DigitalState.HIGH : DigitalState.LOW)
                    .provider(providerId("output")));
            out.state(initial ? DigitalState.HIGH : DigitalState.LOW);
        } catch (RuntimeException e) {
            claimed.remove(pin);
            throw new GpioException("cannot claim GPIO " + pin + " as an output through " + provider + ": "
                    + e.getMessage() + hint(), e);
        }
        return new Output() {
            @Override
            public void set(boolean high) {
                try {
                    out.state(high ? DigitalState.HIGH : DigitalState.LOW);
                } catch (RuntimeException e) {
                    throw new GpioException("cannot drive GPIO " + pin + ": " + e.getMessage(), e);
                }
            }

            @Override
            public boolean high() {
                return out.state() == DigitalState.HIGH;
            }

            @Override
            public void close() {
                try {
                    out.state(shutdown ? DigitalState.HIGH : DigitalState.LOW);
                } catch (RuntimeException e) {
                    Logger.warn("GPIO {}: could not set its shutdown state: {}", pin, e.getMessage());
                }
                release(pin, out.id());
            }
        };
    }

    @Override
    public boolean level(int pin) {
        if (!claimed.containsKey(pin)) {
            throw new IllegalStateException("GPIO " + pin + " is not in use");
        }
        return context.registry().<com.pi4j.io.gpio.digital.Digital<?, ?, ?>>get("gpio" + pin).state() == DigitalState.HIGH;
    }

    @Override
    public void simulateInput(int pin, boolean high) {
        if (!mock) {
            throw new IllegalStateException("GPIO " + pin + " is a real pin; only simulated pins can be driven");
        }
        if (!(claimed.get(pin) instanceof String kind) || !kind.equals("input")) {
            throw new IllegalStateException("GPIO " + pin + " is not a simulated input");
        }
        MockDigitalInput in = context.registry().get("gpio" + pin, MockDigitalInput.class);
        in.mockState(high ? DigitalState.HIGH : DigitalState.LOW);
    }

    /** The usual reason a real pin cannot be claimed, from what /dev shows. */
    private String hint() {
        if (mock || !provider.equals("gpiod")) {
            return "";
        }
        java.io.File[] chips = new java.io.File("/dev").listFiles((d, n) -> n.startsWith("gpiochip"));
        if (chips == null || chips.length == 0) {
            return " (no /dev/gpiochip* here: not a Raspberry Pi? use sim: true or --simulate to try a profile)";
        }
        for (java.io.File c : chips) {
            if (!c.canRead() || !c.canWrite()) {
                return " (permission denied on " + c + ": add the gateway's user to the gpio group)";
            }
        }
        return "";
    }

    private void claim(int pin, String kind) {
        if (pin < 0 || pin > 53) {
            throw new GpioException("GPIO " + pin + " does not exist (BCM numbers 0..53; the header uses 2..27)");
        }
        Object was = claimed.putIfAbsent(pin, kind);
        if (was != null) {
            throw new GpioException("GPIO " + pin + " is already used as an " + was + " by another device");
        }
    }

    private void release(int pin, String id) {
        try {
            context.shutdown(id);
        } catch (RuntimeException e) {
            Logger.debug("GPIO {}: {}", pin, e.getMessage());
        }
        claimed.remove(pin);
    }

    @Override
    public void close() {
        try {
            context.shutdown();
        } catch (RuntimeException e) {
            Logger.warn("Pi4J shutdown: {}", e.getMessage());
        }
    }
}
