package org.streetgate.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.streetgate.uplink.EmbeddedBroker;

/** A real Mosquitto on a free loopback port, started and stopped by the test. */
public final class Mosquitto implements AutoCloseable {
    private final Path dir;
    private final int port;
    private final String access;
    private final Optional<Tls> tls;
    private final int tlsPort;
    private final String extra;
    private Process process;

    private Mosquitto(Path dir, int port, String access) {
        this(dir, port, access, Optional.empty());
    }

    private Mosquitto(Path dir, int port, String access, Optional<Tls> tls) {
        this(dir, port, access, tls, "");
    }

    private Mosquitto(Path dir, int port, String access, Optional<Tls> tls, String extra) {
        this.extra = extra;
        this.dir = dir;
        this.port = port;
        this.access = access;
        this.tls = tls;
        this.tlsPort = tls.isPresent() ? EmbeddedBroker.freeLoopbackPort() : -1;
    }

    /**
     * A TLS listener, in mosquitto.conf's words. {@code identityAsUsername} makes the client
     * certificate's CN the username (for ACL patterns on {@code %u}) and the client id too, so no
     * client can take over another's session. {@code aclFile}, if given, applies to every listener.
     */
    public record Tls(Path cafile, Path certfile, Path keyfile, boolean requireCertificate, boolean identityAsUsername,
                      Optional<Path> aclFile) {
        String config(int port) {
            return """
                    listener %d 127.0.0.1
                    cafile %s
                    certfile %s
                    keyfile %s
                    require_certificate %s
                    use_identity_as_username %s
                    use_username_as_clientid %s
                    tls_version tlsv1.2
                    """.formatted(port, cafile.toAbsolutePath(), certfile.toAbsolutePath(), keyfile.toAbsolutePath(),
                    requireCertificate, identityAsUsername, identityAsUsername)
                    // log_type all: the broker's log shows each denied publish, for tests to read
                    + aclFile.map(f -> "acl_file " + f.toAbsolutePath() + "\nlog_type all\n").orElse("");
        }
    }

    /**
     * A broker with the TLS listener {@code tls} (see {@link #tlsUri()}) beside the plain one
     * ({@link #uri()}), which admits anonymous observers unless an ACL file is given.
     */
    public static Mosquitto startTls(Path dir, Tls tls) throws IOException, InterruptedException {
        String access = tls.aclFile().isPresent() ? "allow_anonymous false" : "allow_anonymous true";
        Mosquitto m = new Mosquitto(dir, EmbeddedBroker.freeLoopbackPort(), access,
                Optional.of(tls));
        m.restart();
        return m;
    }

    /** The TLS listener as {@code ssl://127.0.0.1:port}. */
    public String tlsUri() {
        return "ssl://127.0.0.1:" + tlsPort;
    }

    public int tlsPort() {
        return tlsPort;
    }

    /** What the broker logged so far (connections refused, TLS errors). */
    public String log() throws IOException {
        return Files.readString(dir.resolve("mosquitto-" + port + ".log"));
    }

    public static Mosquitto start(Path dir) throws IOException, InterruptedException {
        Mosquitto m = new Mosquitto(dir, EmbeddedBroker.freeLoopbackPort(), "allow_anonymous true");
        m.restart();
        return m;
    }

    /** As {@link #start}, logging everything (each packet, and each message it drops for a client). */
    public static Mosquitto startLogged(Path dir) throws IOException, InterruptedException {
        Mosquitto m = new Mosquitto(dir, EmbeddedBroker.freeLoopbackPort(), "allow_anonymous true\nlog_type all");
        m.restart();
        return m;
    }

    /** As {@link #start}, with lines of mosquitto.conf of its own (they come last, so they win). */
    public static Mosquitto startWith(Path dir, String conf) throws IOException, InterruptedException {
        Mosquitto m = new Mosquitto(dir, EmbeddedBroker.freeLoopbackPort(), "allow_anonymous true", Optional.empty(), conf);
        m.restart();
        return m;
    }

    /** A broker that admits only {@code user} with {@code password} (mosquitto_passwd makes the file). */
    public static Mosquitto startWithPassword(Path dir, String user, String password) throws IOException, InterruptedException {
        Path file = dir.resolve("mosquitto.passwd");
        Process p = new ProcessBuilder("mosquitto_passwd", "-b", "-c", file.toString(), user, password)
                .redirectErrorStream(true).start();
        if (p.waitFor() != 0) {
            throw new IOException("mosquitto_passwd failed: " + new String(p.getInputStream().readAllBytes()));
        }
        Mosquitto m = new Mosquitto(dir, EmbeddedBroker.freeLoopbackPort(),
                "allow_anonymous false\npassword_file " + file.toAbsolutePath());
        m.restart();
        return m;
    }

    public int port() {
        return port;
    }

    public String uri() {
        return "tcp://127.0.0.1:" + port;
    }

    /**
     * (Re)starts the broker on the same port. It persists sessions and queued messages across a
     * stop and start, as a production broker does, so a test can tell the gateway's losses from
     * the broker's.
     */
    public void restart() throws IOException, InterruptedException {
        Path conf = dir.resolve("mosquitto-" + port + ".conf");
        Files.writeString(conf, """
                listener %d 127.0.0.1
                %s
                set_tcp_nodelay true
                # Started as root (CI), mosquitto would switch to its own user and fail to save its
                # persistence file in the test's directory; as any other user this line is ignored.
                user root
                persistence true
                persistence_location %s/
                persistence_file mosquitto-%d.db
                max_inflight_messages 0
                max_queued_messages 1000000
                message_size_limit 0
                """.formatted(port, access, dir.toAbsolutePath(), port)
                + tls.map(t -> t.config(tlsPort)).orElse("") + extra);
        String binary = Files.isExecutable(Path.of("/usr/sbin/mosquitto")) ? "/usr/sbin/mosquitto" : "mosquitto";
        process = new ProcessBuilder(binary, "-c", conf.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("mosquitto-" + port + ".log").toFile())
                .start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try (Socket s = new Socket(); Socket t = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                if (tlsPort > 0) {
                    t.connect(new InetSocketAddress("127.0.0.1", tlsPort), 200);
                }
                return;
            } catch (IOException notYet) {
                if (!process.isAlive()) {
                    throw new IOException("mosquitto exited with " + process.exitValue() + "; see "
                            + dir.resolve("mosquitto-" + port + ".log") + " (is the mosquitto package installed?)");
                }
                if (System.nanoTime() > deadline) {
                    throw new IOException("mosquitto did not listen on port " + port + " within 10 s");
                }
                Thread.sleep(50);
            }
        }
    }

    public void stop() throws InterruptedException {
        if (process != null) {
            process.destroy();
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
            process = null;
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }
}
