package org.streetgate.cli;

import java.nio.file.Path;
import org.tinylog.configuration.Configuration;

/**
 * Sets up tinylog before the first log line: short human-readable lines on the console, and for
 * {@code run} rolling files under the data directory. Chatty libraries are held at warnings.
 */
final class Logging {
    private Logging() {}

    static void console(String level) {
        Configuration.set("writer", "console");
        Configuration.set("writer.level", level);
        Configuration.set("writer.format", "{date:HH:mm:ss} {level|min-size=5} {message}");
        quietLibraries();
    }

    static void consoleAndFiles(Path logDir) {
        console("info");
        Configuration.set("writer2", "rolling file");
        Configuration.set("writer2.level", "debug");
        Configuration.set("writer2.file", logDir.resolve("streetgate-{count}.log").toString());
        Configuration.set("writer2.latest", logDir.resolve("streetgate.log").toString());
        Configuration.set("writer2.policies", "startup, size: 10mb");
        Configuration.set("writer2.backups", "5");
        Configuration.set("writer2.format", "{date:yyyy-MM-dd HH:mm:ss.SSS} {level} [{thread}] {class-name}: {message}");
        Configuration.set("writingthread", "true");
        // The gateway's own shutdown hook logs its last lines, then shuts logging down itself.
        Configuration.set("autoshutdown", "false");
    }

    private static void quietLibraries() {
        Configuration.set("level", "debug");
        Configuration.set("level@io.moquette", "warn");
        Configuration.set("level@io.netty", "warn");
        Configuration.set("level@org.eclipse.paho", "warn");
        Configuration.set("level@com.pi4j", "warn");
        // Off a Pi, Pi4J's board detection logs errors that mean nothing for simulated pins.
        Configuration.set("level@com.pi4j.boardinfo", "off");
    }
}
