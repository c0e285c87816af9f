package org.streetgate.runtime;

import java.util.Map;
import org.streetgate.command.CommandTarget;
import org.streetgate.drivers.spi.Command;
import org.streetgate.drivers.spi.CommandException;

/** The built-in {@code gateway} target: {@code ping}, {@code health}, {@code flush}. */
final class GatewayCommands implements CommandTarget {
    private final Gateway gateway;

    GatewayCommands(Gateway gateway) {
        this.gateway = gateway;
    }

    @Override
    public Map<String, Object> execute(Command command) throws InterruptedException {
        return switch (command.action()) {
            case "ping" -> Map.of("pong", true, "version", Version.current());
            case "health" -> gateway.health().snapshot();
            case "flush" -> {
                gateway.outbox().flush();
                gateway.uplink().signal();
                yield Map.of("buffered_rows", gateway.outbox().stats().rows());
            }
            default -> throw CommandException.unknownAction(command.device(), command.action());
        };
    }
}
