package org.streetgate.cli;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.tinylog.Logger;

/**
 * Tells systemd (Type=notify, WatchdogSec=) that the gateway is up and still alive: the sd_notify
 * protocol, one datagram such as {@code READY=1} or {@code WATCHDOG=1} to the unix socket named by
 * {@code $NOTIFY_SOCKET} ({@code @name} is the abstract namespace). java.nio cannot send unix
 * datagrams, and {@code systemd-notify} races (it exits before systemd reads the sender's unit), so
 * the datagram goes through libc from this process, the unit's main process (NotifyAccess=main).
 * Without {@code $NOTIFY_SOCKET} (not under systemd) every call does nothing.
 */
public final class SystemdNotifier implements AutoCloseable {
    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int MSG_NOSIGNAL = 0x4000;
    private static final int SUN_PATH_MAX = 108;

    interface LibC extends Library {
        int socket(int domain, int type, int protocol);

        NativeLong sendto(int fd, byte[] buf, NativeLong len, int flags, byte[] addr, int addrLen);

        int close(int fd);
    }

    private final Optional<String> socket;
    private final Optional<Duration> watchdog;
    private volatile Thread pinger;

    SystemdNotifier(Optional<String> socket, Optional<Duration> watchdog) {
        this.socket = socket;
        this.watchdog = watchdog;
    }

    /** From systemd's variables: NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID (when set, must be this process). */
    public static SystemdNotifier fromEnvironment(Map<String, String> env, long pid) {
        Optional<String> socket = Optional.ofNullable(env.get("NOTIFY_SOCKET")).filter(s -> !s.isEmpty());
        Optional<Duration> watchdog = Optional.empty();
        String usec = env.get("WATCHDOG_USEC");
        String forPid = env.get("WATCHDOG_PID");
        if (usec != null && (forPid == null || forPid.equals(Long.toString(pid)))) {
            try {
                long us = Long.parseLong(usec.trim());
                if (us > 0) {
                    watchdog = Optional.of(Duration.ofNanos(us * 1000));
                }
            } catch (NumberFormatException e) {
                Logger.warn("WATCHDOG_USEC '{}' is not a number: no watchdog pings", usec);
            }
        }
        return new SystemdNotifier(socket, watchdog);
    }

    public boolean enabled() {
        return socket.isPresent();
    }

    public Optional<Duration> watchdog() {
        return watchdog.filter(w -> socket.isPresent());
    }

    /** Start-up finished: systemd counts the service as started (and starts its watchdog). */
    public void ready() {
        send("READY=1\nSTATUS=running");
    }

    public void stopping() {
        send("STOPPING=1");
    }

    /**
     * Pings the watchdog at half its interval while {@code alive} holds. A JVM that is wedged (no
     * thread scheduled, a GC storm) stops pinging and systemd restarts it.
     */
    public void startWatchdog(BooleanSupplier alive) {
        watchdog().ifPresent(interval -> {
            long everyMs = Math.max(1, interval.toMillis() / 2);
            pinger = Thread.ofPlatform().daemon().name("systemd-watchdog").start(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    if (alive.getAsBoolean()) {
                        send("WATCHDOG=1");
                    } else {
                        Logger.warn("not alive: no watchdog ping, systemd restarts the gateway after {}", interval);
                    }
                    try {
                        Thread.sleep(everyMs);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        });
    }

    /** Sends one sd_notify datagram; false (logged) when it could not be sent. */
    boolean send(String message) {
        if (socket.isEmpty()) {
            return false;
        }
        byte[] address = sockaddrUn(socket.get());
        if (address == null) {
            Logger.warn("NOTIFY_SOCKET '{}' is not a unix socket path: not telling systemd '{}'", socket.get(), message);
            return false;
        }
        try {
            LibC libc = Native.load("c", LibC.class);
            int fd = libc.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
            if (fd < 0) {
                Logger.warn("cannot open a unix datagram socket (errno {}): not telling systemd '{}'", Native.getLastError(), message);
                return false;
            }
            try {
                byte[] payload = message.getBytes(StandardCharsets.UTF_8);
                long sent = libc.sendto(fd, payload, new NativeLong(payload.length), MSG_NOSIGNAL, address, address.length).longValue();
                if (sent != payload.length) {
                    Logger.warn("telling systemd '{}' through {} failed (errno {})", message, socket.get(), Native.getLastError());
                    return false;
                }
                return true;
            } finally {
                libc.close(fd);
            }
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            Logger.warn("cannot reach libc through JNA ({}): not telling systemd '{}'", e.getMessage(), message);
            return false;
        }
    }

    /** struct sockaddr_un for a path, or for "@name" in the abstract namespace; null when it cannot be one. */
    static byte[] sockaddrUn(String socket) {
        boolean isAbstract = socket.startsWith("@");
        if (!isAbstract && !socket.startsWith("/")) {
            return null;
        }
        byte[] path = socket.getBytes(StandardCharsets.UTF_8);
        if (path.length >= SUN_PATH_MAX) {
            return null;
        }
        // The abstract name starts with a NUL and has no terminator; a path ends with one.
        int length = 2 + path.length + (isAbstract ? 0 : 1);
        ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.nativeOrder());
        b.putShort((short) AF_UNIX);
        b.put(path);
        byte[] address = b.array();
        if (isAbstract) {
            address[2] = 0;
        }
        return address;
    }

    @Override
    public void close() {
        Thread t = pinger;
        if (t != null) {
            t.interrupt();
        }
    }
}
