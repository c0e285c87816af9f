package org.streetgate.drivers.spi;

import java.util.Map;

/** A validated, authorized command for one device, as the runtime hands it to the driver. */
public record Command(String id, String device, String action, Map<String, Object> args) {
    public Command {
        args = args == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(args));
    }

    public int intArg(String name) {
        Object v = args.get(name);
        if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
            return n.intValue();
        }
        throw new CommandException(CommandException.Kind.BAD_ARGUMENT,
                "argument '" + name + "' must be a whole number" + (v == null ? " (missing)" : ", not " + v));
    }

    public int intArg(String name, int fallback) {
        return args.containsKey(name) ? intArg(name) : fallback;
    }

    public String stringArg(String name) {
        if (args.get(name) instanceof String s) {
            return s;
        }
        throw new CommandException(CommandException.Kind.BAD_ARGUMENT,
                "argument '" + name + "' must be text" + (args.containsKey(name) ? "" : " (missing)"));
    }
}
