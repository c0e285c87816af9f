package org.streetgate.testing;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.streetgate.drivers.spi.DriverFactory;
import org.streetgate.drivers.spi.DriverRegistry;
import org.streetgate.profile.Profile;
import org.streetgate.profile.ProfileLoader;

/** Writes a profile for a test and loads it the way {@code streetgate run} does. */
public final class Profiles {
    private Profiles() {}

    public static Profile load(Path dir, String name, String yaml) throws IOException {
        return load(dir, name, yaml, null);
    }

    /** Loads with the built-in drivers plus the test's {@code load} driver, reporting acks to {@code acks}. */
    public static Profile load(Path dir, String name, String yaml, PrintStream acks) throws IOException {
        Path file = dir.resolve(name + ".yaml");
        Files.writeString(file, yaml);
        return loader(acks).load(file);
    }

    public static ProfileLoader loader(PrintStream acks) {
        List<DriverFactory<?>> factories = new ArrayList<>();
        DriverRegistry builtIn = DriverRegistry.builtIn();
        builtIn.names().forEach(n -> factories.add(builtIn.find(n).orElseThrow()));
        factories.add(new LoadDriverFactory(acks));
        return new ProfileLoader(new DriverRegistry(factories));
    }

    /** A gateway profile on {@code brokerUri}, with fast reconnects for tests. */
    public static String gateway(String brokerUri, String store, String devices) {
        return gateway(brokerUri, "batch-records: 500", store, devices);
    }

    /**
     * As above, with extra {@code platform:} keys (one line, e.g. rate limits). {@code devices} is the
     * indented list under {@code devices:}; empty for a gateway with no devices.
     */
    public static String gateway(String brokerUri, String platformExtra, String store, String devices) {
        return """
                gateway: {id: pole-it, model: sensor-pole}
                platform:
                  url: %s
                  reconnect-min: 100ms
                  reconnect-max: 500ms
                  %s
                store: %s
                health: {interval: 1s}
                """.formatted(brokerUri, platformExtra, store)
                + (devices.isBlank() ? "devices: []\n" : "devices:\n" + devices + "\n");
    }

    /** The same profile on MQTT 5 (the default is 3.1.1). */
    public static String mqtt5(String yaml) {
        if (!yaml.contains("\nplatform:\n")) {
            throw new IllegalArgumentException("no block platform: section to put the protocol in");
        }
        return yaml.replace("\nplatform:\n", "\nplatform:\n  protocol: \"5\"\n");
    }
}
