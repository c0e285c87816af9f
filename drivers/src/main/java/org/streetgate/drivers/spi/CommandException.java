package org.streetgate.drivers.spi;

/**
 * A command a driver will not or cannot carry out. {@link Kind#REFUSED} and {@link Kind#BAD_ARGUMENT}
 * become a {@code rejected} result; {@link Kind#FAILED} an {@code error} result.
 */
public final class CommandException extends RuntimeException {
    public enum Kind { UNKNOWN_ACTION, BAD_ARGUMENT, REFUSED, FAILED }

    private final Kind kind;

    public CommandException(Kind kind, String message) {
        super(message);
        this.kind = kind;
    }

    public CommandException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }

    public static CommandException unknownAction(String device, String action) {
        return new CommandException(Kind.UNKNOWN_ACTION, "device '" + device + "' has no action '" + action + "'");
    }
}
