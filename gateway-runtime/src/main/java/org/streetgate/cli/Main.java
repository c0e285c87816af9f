package org.streetgate.cli;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import org.streetgate.drivers.config.ConfigException;
import org.streetgate.drivers.spi.DriverRegistry;
import org.streetgate.profile.Profile;
import org.streetgate.profile.ProfileLoader;
import org.streetgate.profile.SecretFiles;
import org.streetgate.runtime.Gateway;
import org.streetgate.runtime.Version;
import org.tinylog.Logger;

/** The {@code streetgate} command line (DESIGN §3.1). Exit codes: 0 ok, 1 bad input, 2 runtime failure. */
public final class Main {
    static final int OK = 0;
    static final int BAD_INPUT = 1;
    static final int FAILURE = 2;

    private static final String USAGE = """
            usage: streetgate <command> [options]

              run --profile FILE [--data-dir DIR] [--simulate]   run the gateway
              validate FILE...                                   check profiles (exit 1 with file:line: message)
              ota keygen|sign|verify|inspect|install|push ...    technician tools for update bundles
              version                                            print the version

            --data-dir defaults to ./data; --simulate replaces every device by its simulator.
            """;

    private Main() {}

    public static void main(String[] args) {
        int code = run(args, System.out, System.err);
        if (code != OK || (args.length > 0 && !args[0].equals("run"))) {
            System.exit(code);
        }
    }

    static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0) {
            err.print(USAGE);
            return BAD_INPUT;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        return switch (args[0]) {
            case "run" -> runGateway(rest, out, err);
            case "validate" -> validate(rest, out, err);
            case "version", "--version" -> {
                out.println("streetgate " + Version.current());
                yield OK;
            }
            case "ota" -> org.streetgate.ota.OtaCli.run(rest, out, err);
            case "help", "--help", "-h" -> {
                out.print(USAGE);
                yield OK;
            }
            default -> {
                err.println("streetgate: unknown command '" + args[0] + "'");
                err.print(USAGE);
                yield BAD_INPUT;
            }
        };
    }

    static int validate(String[] files, PrintStream out, PrintStream err) {
        if (files.length == 0) {
            err.println("streetgate validate: name at least one profile file");
            return BAD_INPUT;
        }
        ProfileLoader loader = new ProfileLoader(DriverRegistry.builtIn());
        int bad = 0;
        for (String f : files) {
            try {
                Profile p = loader.load(Path.of(f));
                out.println(f + ": ok (" + p.gateway().id() + ", " + p.devices().size() + " devices)");
                p.warnings().forEach(err::println);
            } catch (ConfigException e) {
                e.problems().forEach(err::println);
                bad++;
            }
        }
        return bad == 0 ? OK : BAD_INPUT;
    }

    private static int runGateway(String[] args, PrintStream out, PrintStream err) {
        Path profileFile = null;
        Path dataDir = Path.of("data");
        boolean simulate = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--profile" -> {
                    if (++i >= args.length) {
                        err.println("streetgate run: --profile needs a file");
                        return BAD_INPUT;
                    }
                    profileFile = Path.of(args[i]);
                }
                case "--data-dir" -> {
                    if (++i >= args.length) {
                        err.println("streetgate run: --data-dir needs a directory");
                        return BAD_INPUT;
                    }
                    dataDir = Path.of(args[i]);
                }
                case "--simulate" -> simulate = true;
                default -> {
                    err.println("streetgate run: unknown option '" + args[i] + "'");
                    err.print(USAGE);
                    return BAD_INPUT;
                }
            }
        }
        if (profileFile == null) {
            err.println("streetgate run: --profile FILE is required");
            return BAD_INPUT;
        }
        Profile profile;
        try {
            profile = new ProfileLoader(DriverRegistry.builtIn()).load(profileFile);
            // Before logging starts: refused like a bad profile, file:line on stderr, exit 1.
            SecretFiles.check(profile, dataDir);
        } catch (ConfigException e) {
            e.problems().forEach(err::println);
            return BAD_INPUT;
        }
        try {
            Files.createDirectories(dataDir.resolve("logs"));
        } catch (java.io.IOException e) {
            err.println("streetgate run: cannot create data directory " + dataDir + ": " + e.getMessage());
            return FAILURE;
        }
        Logging.consoleAndFiles(dataDir.resolve("logs"));
        Logger.info("StreetGate {} starting with profile {}{}", Version.current(), profileFile,
                simulate ? " (--simulate: every device is its simulator)" : "");
        Gateway gateway;
        try {
            gateway = Gateway.start(profile, dataDir, simulate);
        } catch (ConfigException e) {
            // A start-up check of what the profile names (a secret file others can read): file:line like validate.
            Logger.error("start-up refused: {}", e.getMessage());
            e.problems().forEach(err::println);
            return BAD_INPUT;
        } catch (RuntimeException e) {
            Logger.error(e, "start-up failed: {}", e.getMessage());
            err.println("streetgate run: start-up failed: " + e.getMessage());
            return FAILURE;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        // Under systemd (Type=notify): started now; then a watchdog ping for as long as the JVM schedules threads.
        SystemdNotifier systemd = SystemdNotifier.fromEnvironment(System.getenv(), ProcessHandle.current().pid());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            Logger.info("stopping");
            systemd.stopping();
            systemd.close();
            gateway.close();
            stopped.countDown();
            try {
                org.tinylog.provider.ProviderRegistry.getLoggingProvider().shutdown();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "shutdown"));
        gateway.restartRequested().thenAccept(reason -> {
            Logger.info("exiting for a restart: {}", reason);
            System.exit(0); // the shutdown hook closes the gateway; systemd starts it again
        });
        systemd.ready();
        systemd.startWatchdog(() -> stopped.getCount() > 0);
        systemd.watchdog().ifPresent(w -> Logger.info("systemd watchdog: a ping every {} ms", w.toMillis() / 2));
        Logger.info("running; Ctrl-C stops cleanly, buffered records stay in {}", gateway.outbox().file());
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return OK;
    }
}
