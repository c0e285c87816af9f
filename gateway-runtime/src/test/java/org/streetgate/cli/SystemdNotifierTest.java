package org.streetgate.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sd_notify datagrams, received by a fake notify socket (socat listening as systemd would). */
class SystemdNotifierTest {
    private Process socat;

    @AfterEach
    void stop() throws InterruptedException {
        if (socat != null) {
            socat.destroy();
            socat.waitFor(10, TimeUnit.SECONDS);
        }
    }

    /** Starts socat receiving datagrams on {@code address}, once the socket is listed as bound. */
    private InputStream fakeNotifySocket(String socatAddress, String boundName) throws Exception {
        socat = new ProcessBuilder("socat", "-u", socatAddress, "STDOUT").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.readString(Path.of("/proc/net/unix")).contains(boundName)) {
            assertTrue(System.nanoTime() < deadline && socat.isAlive(), "socat did not bind " + boundName);
            Thread.onSpinWait();
        }
        return socat.getInputStream();
    }

    private static String read(InputStream in, int bytes) throws Exception {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return new String(in.readNBytes(bytes), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }).get(10, TimeUnit.SECONDS);
    }

    @Test
    void readyReachesAPathSocket(@TempDir Path tmp) throws Exception {
        Path sock = tmp.resolve("notify");
        InputStream in = fakeNotifySocket("UNIX-RECV:" + sock, sock.toString());
        var notifier = SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", sock.toString()), 1);
        notifier.ready();
        assertEquals("READY=1\nSTATUS=running", read(in, "READY=1\nSTATUS=running".length()));
    }

    @Test
    void watchdogPingsKeepComingToAnAbstractSocket() throws Exception {
        String name = "streetgate-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();
        InputStream in = fakeNotifySocket("ABSTRACT-RECV:" + name, "@" + name);
        var notifier = SystemdNotifier.fromEnvironment(
                Map.of("NOTIFY_SOCKET", "@" + name, "WATCHDOG_USEC", "200000", "WATCHDOG_PID", "42"), 42);
        assertEquals(Optional.of(Duration.ofMillis(200)), notifier.watchdog());
        try (notifier) {
            notifier.startWatchdog(() -> true);
            assertEquals("WATCHDOG=1WATCHDOG=1WATCHDOG=1", read(in, 30));
        }
    }

    @Test
    void noSocketNoWatchdogAndAWatchdogForAnotherProcessIsNotOurs() {
        var outside = SystemdNotifier.fromEnvironment(Map.of(), 1);
        assertFalse(outside.enabled());
        assertFalse(outside.send("READY=1"));
        var other = SystemdNotifier.fromEnvironment(Map.of("NOTIFY_SOCKET", "/run/x", "WATCHDOG_USEC", "1000000",
                "WATCHDOG_PID", "7"), 8);
        assertEquals(Optional.empty(), other.watchdog());
    }

    @Test
    void addressesAreSockaddrUn() {
        byte[] path = SystemdNotifier.sockaddrUn("/run/n");
        assertEquals(2 + 6 + 1, path.length);
        assertEquals('/', path[2]);
        assertEquals(0, path[path.length - 1]);
        byte[] abs = SystemdNotifier.sockaddrUn("@n");
        assertEquals(2 + 2, abs.length);
        assertEquals(0, abs[2]);
        assertEquals('n', abs[3]);
        assertEquals(null, SystemdNotifier.sockaddrUn("relative"));
    }
}
