package org.streetgate.command;

import java.util.Map;
import org.streetgate.drivers.spi.Command;

/**
 * Something a {@code cmd} can address by its {@code device} field: a driver, or a built-in
 * service such as {@code gateway}. Throws {@link org.streetgate.drivers.spi.CommandException} to
 * refuse or fail.
 */
@FunctionalInterface
public interface CommandTarget {
    Map<String, Object> execute(Command command) throws InterruptedException;
}
