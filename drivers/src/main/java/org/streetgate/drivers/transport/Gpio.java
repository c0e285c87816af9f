package org.streetgate.drivers.transport;

import java.util.function.Consumer;

/**
 * Digital GPIO pins, numbered BCM as on the Pi header's "GPIO n" labels. Real pins go through
 * Pi4J's gpiod plugin; simulated ones through Pi4J's mock plugin, whose inputs a test or simulator
 * drives with {@link #simulateInput}. Levels here are electrical: true is high.
 */
public interface Gpio extends AutoCloseable {
    enum Pull { UP, DOWN, NONE }

    /** An input pin; {@code onChange} gets each raw level change on a Pi4J thread, undebounced. */
    interface Input extends AutoCloseable {
        boolean high();

        @Override
        void close();
    }

    interface Output extends AutoCloseable {
        void set(boolean high);

        boolean high();

        @Override
        void close();
    }

    /** Which Pi4J provider drives the pins, for logs and health ({@code gpiod}, {@code mock}). */
    String provider();

    /**
     * Claims {@code pin} as an input.
     *
     * @throws GpioException when the pin is taken or the GPIO chip cannot be used
     */
    Input input(int pin, Pull pull, Consumer<Boolean> onChange);

    /** Claims {@code pin} as an output, driven to {@code initial} at once and to {@code shutdown} at close. */
    Output output(int pin, boolean initial, boolean shutdown);

    /** The electrical level of a pin this object has claimed, input or output. */
    boolean level(int pin);

    /** Simulation only: moves a simulated input pin to {@code high}, firing its listeners. */
    void simulateInput(int pin, boolean high);

    @Override
    void close();
}
