package org.streetgate.drivers.spi;

import java.util.Map;

/**
 * One running device. {@link #start()} returns at once; blocking I/O runs on virtual threads the
 * driver starts. {@link #stop()} ends them and leaves the hardware in its safe state.
 */
public interface Driver {
    void start();

    void stop();

    DeviceStatus status();

    /**
     * Carries out a command and returns its result (JSON-friendly values). Throws
     * {@link CommandException} when the action is unknown, refused or fails.
     */
    default Map<String, Object> execute(Command command) throws InterruptedException {
        throw CommandException.unknownAction(command.device(), command.action());
    }
}
