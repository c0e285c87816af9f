package org.streetgate.fault;

import java.nio.file.Path;
import org.streetgate.runtime.Gateway;
import org.streetgate.testing.Profiles;

/**
 * A gateway in a child process for kill -9 tests: runs the profile (with the test's load driver,
 * which reports acknowledged readings on stdout) until it is killed.
 */
public final class GatewayProcess {
    private GatewayProcess() {}

    public static void main(String[] args) throws Exception {
        var profile = Profiles.loader(System.out).load(Path.of(args[0]));
        Gateway.start(profile, Path.of(args[1]), false);
        System.out.println("started");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
