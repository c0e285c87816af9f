package org.streetgate.command;

import java.util.Map;

/** The outcome published on {@code cmd/result}. */
public record CommandResult(String id, Status status, Map<String, Object> result, String error) {
    public enum Status {
        OK, ERROR, REJECTED, EXPIRED, DUPLICATE;

        public String wire() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public CommandResult {
        result = result == null ? Map.of() : result;
    }

    public static CommandResult ok(String id, Map<String, Object> result) {
        return new CommandResult(id, Status.OK, result, null);
    }

    public static CommandResult rejected(String id, String reason) {
        return new CommandResult(id, Status.REJECTED, Map.of(), reason);
    }

    public static CommandResult error(String id, String reason) {
        return new CommandResult(id, Status.ERROR, Map.of(), reason);
    }

    public static CommandResult expired(String id) {
        return new CommandResult(id, Status.EXPIRED, Map.of(), "command expired before it could run");
    }
}
