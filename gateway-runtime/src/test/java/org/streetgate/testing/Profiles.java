package org.streetgate.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.streetgate.drivers.spi.DriverRegistry;
import org.streetgate.profile.Profile;
import org.streetgate.profile.ProfileLoader;

/** Writes a profile for a test and loads it the way {@code streetgate run} does. */
public final class Profiles {
    private Profiles() {}

    public static Profile load(Path dir, String name, String yaml) throws IOException {
        Path file = dir.resolve(name + ".yaml");
        Files.writeString(file, yaml);
        return new ProfileLoader(DriverRegistry.builtIn()).load(file);
    }
}
