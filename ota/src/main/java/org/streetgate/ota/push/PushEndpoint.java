package org.streetgate.ota.push;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.streetgate.ota.BundleException;
import org.streetgate.ota.BusyException;
import org.streetgate.ota.OtaException;
import org.streetgate.ota.UpdateAgent.StagedRelease;
import org.streetgate.ota.slots.Disk;
import org.streetgate.ota.util.Hex;
import org.tinylog.Logger;

/**
 * The gateway's local endpoint for {@code ota push}: {@code PUT /ota/bundle[?reinstall=true]} with the
 * bundle as body, a {@code Content-Length} and {@code Authorization: Bearer TOKEN}. Without the right
 * token nothing is read. Answers: 200 staged, 400 bad request, 401 no or wrong token, 403 foreign
 * Host or Origin, 404, 405, 408 too slow, 409 busy, 411 no Content-Length, 413 too large, 422 bundle
 * refused, 429 locked out after wrong tokens, 431 headers too large, 503 too many connections, 507 not
 * enough disk, 500 failure; the body is one line of text saying why.
 *
 * <p>A small HTTP/1.1 server of its own rather than the JDK's HttpServer, because every input here
 * must be bounded: connections, header bytes, the time to send headers and body, the body size; and
 * one connection per request (Connection: close) keeps it that simple.
 */
public final class PushEndpoint implements AutoCloseable {
    public static final String PATH = "/ota/bundle";
    private static final int MIN_TOKEN_LENGTH = 16;
    private static final int MAX_HEADERS = 64;

    /**
     * Limits of the endpoint.
     *
     * @param maxConnections   connections served at once; more are answered 503 and closed
     * @param maxHeaderBytes   request line and headers together
     * @param readTimeout      longest silence on a connection before it is closed
     * @param headerTimeout    time from accept to the end of the headers (a client trickling bytes)
     * @param bodyTimeout      time to receive the whole body
     * @param maxWrongTokens   wrong tokens within {@code wrongTokenWindow} before the endpoint locks
     * @param lockout          first lock-out; each further one doubles, up to {@code maxLockout}
     * @param allowNonLoopback binding an address other than loopback needs this set explicitly
     * @param spaceMargin      free space kept beyond an upload and its extraction
     * @param nanoClock        monotonic clock of the lock-out (tests inject one)
     */
    public record Limits(int maxConnections, int maxHeaderBytes, Duration readTimeout, Duration headerTimeout,
                         Duration bodyTimeout, int maxWrongTokens, Duration wrongTokenWindow, Duration lockout,
                         Duration maxLockout, boolean allowNonLoopback, long spaceMargin, LongSupplier nanoClock) {
        public Limits {
            if (maxConnections < 1 || maxHeaderBytes < 256 || maxWrongTokens < 1 || spaceMargin < 0) {
                throw new IllegalArgumentException("push limits: maxConnections and maxWrongTokens must be >= 1, "
                        + "maxHeaderBytes >= 256, spaceMargin >= 0");
            }
            Objects.requireNonNull(readTimeout, "readTimeout");
            Objects.requireNonNull(headerTimeout, "headerTimeout");
            Objects.requireNonNull(bodyTimeout, "bodyTimeout");
            Objects.requireNonNull(wrongTokenWindow, "wrongTokenWindow");
            Objects.requireNonNull(lockout, "lockout");
            Objects.requireNonNull(maxLockout, "maxLockout");
            Objects.requireNonNull(nanoClock, "nanoClock");
        }

        public static Limits defaults() {
            return new Limits(4, 8 << 10, Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofMinutes(15), 5,
                    Duration.ofMinutes(1), Duration.ofSeconds(30), Duration.ofHours(1), false, 16L << 20, System::nanoTime);
        }

        public Limits withTimeouts(Duration read, Duration header, Duration body) {
            return new Limits(maxConnections, maxHeaderBytes, read, header, body, maxWrongTokens, wrongTokenWindow,
                    lockout, maxLockout, allowNonLoopback, spaceMargin, nanoClock);
        }

        public Limits withMaxConnections(int n) {
            return new Limits(n, maxHeaderBytes, readTimeout, headerTimeout, bodyTimeout, maxWrongTokens, wrongTokenWindow,
                    lockout, maxLockout, allowNonLoopback, spaceMargin, nanoClock);
        }

        public Limits withNonLoopbackAllowed(boolean allowed) {
            return new Limits(maxConnections, maxHeaderBytes, readTimeout, headerTimeout, bodyTimeout, maxWrongTokens,
                    wrongTokenWindow, lockout, maxLockout, allowed, spaceMargin, nanoClock);
        }

        public Limits withClock(LongSupplier clock) {
            return new Limits(maxConnections, maxHeaderBytes, readTimeout, headerTimeout, bodyTimeout, maxWrongTokens,
                    wrongTokenWindow, lockout, maxLockout, allowNonLoopback, spaceMargin, clock);
        }
    }

    /** What the endpoint does with a received bundle: the agent's installFile. */
    @FunctionalInterface
    public interface Installer {
        StagedRelease install(Path bundle, boolean reinstall);
    }

    private final ServerSocket server;
    private final byte[] expectedHash;
    private final Path downloads;
    private final long maxBytes;
    private final Disk disk;
    private final Limits limits;
    private final Installer installer;
    private final Semaphore slots;
    private final TokenThrottle throttle;
    private final ScheduledExecutorService deadlines =
            Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("ota-push-deadline").factory());
    private final AtomicLong counter = new AtomicLong();
    private volatile boolean closed;

    private PushEndpoint(ServerSocket server, String token, Path downloads, long maxBytes, Disk disk, Limits limits,
                         Installer installer) {
        this.server = server;
        this.expectedHash = Hex.sha256().digest(token.getBytes(StandardCharsets.UTF_8));
        this.downloads = downloads;
        this.maxBytes = maxBytes;
        this.disk = disk;
        this.limits = limits;
        this.installer = installer;
        this.slots = new Semaphore(limits.maxConnections());
        this.throttle = new TokenThrottle(limits.maxWrongTokens(), limits.wrongTokenWindow(), limits.lockout(),
                limits.maxLockout(), limits.nanoClock());
    }

    public static PushEndpoint start(InetSocketAddress bind, String token, Path downloads, long maxBytes, Installer installer) {
        return start(bind, token, downloads, maxBytes, Disk.REAL, Limits.defaults(), installer);
    }

    public static PushEndpoint start(InetSocketAddress bind, String token, Path downloads, long maxBytes, Disk disk,
                                     Limits limits, Installer installer) {
        if (token == null || token.strip().length() < MIN_TOKEN_LENGTH) {
            throw new IllegalArgumentException("the push endpoint needs a technician token of at least "
                    + MIN_TOKEN_LENGTH + " characters; refusing to start without one");
        }
        InetAddress address = bind.getAddress();
        if (address == null || !address.isLoopbackAddress()) {
            if (!limits.allowNonLoopback()) {
                throw new IllegalArgumentException("the push endpoint binds to loopback only; " + bind
                        + " is reachable from the network and needs the explicit setting ota.push.allow-remote: true");
            }
            Logger.warn("OTA push endpoint bound to {}: reachable from the network, protected only by the technician token",
                    bind);
        }
        ServerSocket server;
        try {
            server = new ServerSocket();
            server.bind(bind, 16);
        } catch (IOException e) {
            throw new OtaException("cannot bind the OTA push endpoint to " + bind + ": " + e.getMessage(), e);
        }
        PushEndpoint endpoint = new PushEndpoint(server, token.strip(), downloads, maxBytes, disk, limits, installer);
        Thread.ofVirtual().name("ota-push-accept").start(endpoint::acceptLoop);
        Logger.info("OTA push endpoint listening on {}", endpoint.address());
        return endpoint;
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // Closing a listening socket that is already closed.
        }
        deadlines.shutdownNow();
    }

    // ---------------------------------------------------------------------------------------------

    private void acceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = server.accept();
            } catch (IOException e) {
                if (!closed) {
                    Logger.warn("OTA push endpoint: accept failed: {}", e.getMessage());
                }
                continue;
            }
            if (!slots.tryAcquire()) {
                Thread.ofVirtual().name("ota-push-busy").start(() -> refuseBusy(s));
                continue;
            }
            Thread.ofVirtual().name("ota-push").start(() -> {
                try (s) {
                    serve(s);
                } catch (IOException e) {
                    Logger.info("OTA push from {} ended: {}", s.getRemoteSocketAddress(), e.getMessage());
                } finally {
                    slots.release();
                }
            });
        }
    }

    private void refuseBusy(Socket s) {
        try (s) {
            s.setSoTimeout((int) Math.max(1, limits.readTimeout().toMillis()));
            Logger.warn("OTA push from {} refused: {} connections already open", s.getRemoteSocketAddress(), limits.maxConnections());
            respond(s, 503, "busy: too many connections to the push endpoint; try again shortly", -1);
        } catch (IOException ignored) {
            // The client went away; nothing to answer.
        }
    }

    /** A request that cannot be served: answered with its status and reason. */
    private static final class Refusal extends Exception {
        final int status;

        Refusal(int status, String message) {
            super(message, null, false, false);
            this.status = status;
        }
    }

    private void serve(Socket s) throws IOException {
        s.setSoTimeout((int) Math.max(1, limits.readTimeout().toMillis()));
        ScheduledFuture<?> deadline = closeAfter(s, limits.headerTimeout());
        long declared = 0;
        Request req;
        try {
            req = readHead(s.getInputStream());
        } catch (Refusal r) {
            deadline.cancel(false);
            respond(s, r.status, r.getMessage(), -1); // the rest of an oversized or malformed head may be unread
            return;
        } catch (SocketTimeoutException e) {
            Logger.info("OTA push from {}: no complete request within the read timeout; closed", s.getRemoteSocketAddress());
            respond(s, 408, "request timed out", 0);
            return;
        } catch (SocketException e) {
            if (deadline.isDone()) {
                Logger.info("OTA push from {}: headers not complete within {}; closed", s.getRemoteSocketAddress(),
                        limits.headerTimeout());
                return;
            }
            throw e;
        }
        deadline.cancel(false);
        try {
            declared = check(req, s);
        } catch (Refusal r) {
            respond(s, r.status, r.getMessage(), req.contentLength);
            return;
        }
        if ("100-continue".equalsIgnoreCase(req.headers.get("expect"))) {
            OutputStream out = s.getOutputStream();
            out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }
        Path file = downloads.resolve("push-" + ProcessHandle.current().pid() + "-" + counter.incrementAndGet() + ".part");
        ScheduledFuture<?> bodyDeadline = closeAfter(s, limits.bodyTimeout());
        try {
            long got = receive(req.body, s.getInputStream(), file, declared);
            bodyDeadline.cancel(false);
            if (got < declared) {
                respond(s, 400, "body ended after " + got + " of the " + declared + " bytes announced", 0);
                return;
            }
            StagedRelease staged = installer.install(file, req.reinstall);
            respond(s, 200, "staged " + staged.version() + " (release counter " + staged.releaseCounter()
                    + ") as a trial; restart the gateway to boot it", 0);
        } catch (SocketTimeoutException e) {
            respond(s, 408, "upload stalled for longer than " + limits.readTimeout().toSeconds() + " s", 0);
        } catch (SocketException e) {
            if (!bodyDeadline.isDone()) {
                throw e;
            }
            Logger.info("OTA push from {}: body not complete within {}; closed", s.getRemoteSocketAddress(), limits.bodyTimeout());
        } catch (BundleException e) {
            respond(s, 422, "refused: " + e.getMessage(), 0);
        } catch (BusyException e) {
            respond(s, 409, "busy: " + e.getMessage(), 0);
        } catch (OtaException e) {
            respond(s, 500, "failed: " + e.getMessage(), 0);
        } catch (RuntimeException e) {
            Logger.error(e, "OTA push failed");
            respond(s, 500, "failed: " + e, 0);
        } finally {
            bodyDeadline.cancel(false);
            Files.deleteIfExists(file);
        }
    }

    /** Everything that is decided from the head alone; returns the body length to read. */
    private long check(Request req, Socket s) throws Refusal {
        String host = req.headers.get("host");
        if (host == null || !hostAllowed(hostPart(host))) {
            Logger.warn("OTA push from {} refused: Host '{}' is not this endpoint", s.getRemoteSocketAddress(), host);
            throw new Refusal(403, "forbidden: Host '" + host + "' is not this endpoint (use its address, e.g. "
                    + hostLiteral(address().getAddress()) + ")");
        }
        String origin = req.headers.get("origin");
        if (origin != null && !originAllowed(origin)) {
            Logger.warn("OTA push from {} refused: cross-origin request from '{}'", s.getRemoteSocketAddress(), origin);
            throw new Refusal(403, "forbidden: cross-origin requests are refused (Origin '" + origin + "')");
        }
        if (!req.path.equals(PATH)) {
            throw new Refusal(404, "not found: use PUT " + PATH);
        }
        long lockedFor = throttle.lockedForNanos();
        if (lockedFor > 0) {
            long secs = Math.max(1, TimeUnit.NANOSECONDS.toSeconds(lockedFor + 999_999_999L));
            throw new Refusal(429, "locked: too many wrong technician tokens; try again in " + secs + " s");
        }
        if (!tokenMatches(req.headers.get("authorization"))) {
            throttle.failure();
            Logger.warn("OTA push from {} refused: missing or wrong technician token", s.getRemoteSocketAddress());
            throw new Refusal(401, "unauthorized: a valid technician token is required");
        }
        throttle.success();
        if (!req.method.equals("PUT") && !req.method.equals("POST")) {
            throw new Refusal(405, "use PUT " + PATH);
        }
        if (req.headers.containsKey("transfer-encoding") || req.contentLength < 0) {
            throw new Refusal(411, "a Content-Length is required (no chunked uploads)");
        }
        if (req.contentLength > maxBytes) {
            throw new Refusal(413, "bundle of " + req.contentLength + " bytes exceeds the " + maxBytes + " byte limit");
        }
        long need = 2 * req.contentLength + limits.spaceMargin(); // the upload, its extraction, a margin
        long have;
        try {
            Files.createDirectories(downloads);
            have = disk.usableSpace(downloads);
        } catch (IOException e) {
            throw new Refusal(500, "failed: cannot check free space: " + e.getMessage());
        }
        if (have < need) {
            Logger.warn("OTA push of {} bytes refused: need {} bytes free, have {}", req.contentLength, need, have);
            throw new Refusal(507, "insufficient storage: a " + req.contentLength + " byte bundle needs " + need
                    + " bytes free (upload, extraction and margin), the gateway has " + have);
        }
        return req.contentLength;
    }

    private boolean tokenMatches(String authorization) {
        if (authorization == null || !authorization.startsWith("Bearer ")) {
            return false;
        }
        // Hash both sides: equal-length digests compared by MessageDigest.isEqual take the same time
        // whatever the presented token's length or content.
        byte[] presented = Hex.sha256().digest(authorization.substring(7).strip().getBytes(StandardCharsets.UTF_8));
        return MessageDigest.isEqual(presented, expectedHash);
    }

    /**
     * DNS rebinding: a web page on evil.example whose name resolves to 127.0.0.1 makes the browser send
     * {@code Host: evil.example}. Only the bound address itself (or localhost on loopback) is accepted,
     * any port (an SSH tunnel may use another one locally).
     */
    private boolean hostAllowed(String host) {
        InetAddress bound = address().getAddress();
        if (host.equals("localhost")) {
            return bound.isLoopbackAddress();
        }
        if (!host.matches("[0-9.]+|\\[[0-9a-f:.]+\\]")) {
            return false; // a name: only IP literals and localhost are this endpoint
        }
        InetAddress asked;
        try {
            asked = InetAddress.getByName(host.startsWith("[") ? host.substring(1, host.length() - 1) : host); // a literal: no lookup
        } catch (IOException e) {
            return false;
        }
        if (bound.isAnyLocalAddress()) {
            return true;
        }
        return asked.equals(bound) || (bound.isLoopbackAddress() && asked.isLoopbackAddress());
    }

    private boolean originAllowed(String origin) {
        try {
            URI u = new URI(origin);
            return u.getHost() != null && ("http".equals(u.getScheme()) || "https".equals(u.getScheme()))
                    && hostAllowed(u.getHost().toLowerCase(Locale.ROOT));
        } catch (Exception e) {
            return false; // "null" and anything unparseable
        }
    }

    private static String hostPart(String hostHeader) {
        String h = hostHeader.strip().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end < 0 ? h : h.substring(0, end + 1);
        }
        int colon = h.indexOf(':');
        return colon < 0 ? h : h.substring(0, colon);
    }

    private static String hostLiteral(InetAddress a) {
        String s = a.getHostAddress();
        return s.contains(":") ? "[" + s + "]" : s;
    }

    private ScheduledFuture<?> closeAfter(Socket s, Duration d) {
        return deadlines.schedule(() -> {
            try {
                s.close();
            } catch (IOException ignored) {
                // Already closed.
            }
        }, d.toMillis(), TimeUnit.MILLISECONDS);
    }

    // -- HTTP/1.1, just enough --------------------------------------------------------------------

    /** The request head, and whatever body bytes were read along with it. */
    private record Request(String method, String path, boolean reinstall, Map<String, String> headers,
                           long contentLength, byte[] body) {
    }

    private Request readHead(InputStream in) throws IOException, Refusal {
        byte[] buf = new byte[limits.maxHeaderBytes()];
        int len = 0;
        int end = -1;
        while (end < 0) {
            if (len == buf.length) {
                throw new Refusal(431, "request headers larger than " + buf.length + " bytes");
            }
            int n = in.read(buf, len, buf.length - len);
            if (n < 0) {
                throw new Refusal(400, "connection ended before the request headers did");
            }
            int from = Math.max(0, len - 3);
            len += n;
            for (int i = from; i + 3 < len; i++) {
                if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n') {
                    end = i;
                    break;
                }
            }
        }
        String head = new String(buf, 0, end, StandardCharsets.ISO_8859_1);
        String[] lines = head.split("\r\n", -1);
        String[] requestLine = lines[0].split(" ", -1);
        if (requestLine.length != 3 || !requestLine[2].startsWith("HTTP/1.")) {
            throw new Refusal(400, "malformed request line");
        }
        if (lines.length - 1 > MAX_HEADERS) {
            throw new Refusal(431, "more than " + MAX_HEADERS + " request headers");
        }
        Map<String, String> headers = new HashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon <= 0) {
                throw new Refusal(400, "malformed header line " + i);
            }
            String name = lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String value = lines[i].substring(colon + 1).strip();
            if (headers.putIfAbsent(name, value) != null
                    && (name.equals("host") || name.equals("authorization") || name.equals("content-length") || name.equals("origin"))) {
                throw new Refusal(400, "duplicate " + name + " header");
            }
        }
        long contentLength = -1;
        String cl = headers.get("content-length");
        if (cl != null) {
            if (!cl.matches("\\d{1,18}")) {
                throw new Refusal(400, "invalid Content-Length");
            }
            contentLength = Long.parseLong(cl);
        }
        String target = requestLine[1];
        int q = target.indexOf('?');
        String path = q < 0 ? target : target.substring(0, q);
        boolean reinstall = q >= 0 && target.substring(q + 1).equals("reinstall=true");
        byte[] rest = java.util.Arrays.copyOfRange(buf, end + 4, len);
        return new Request(requestLine[0], path, reinstall, headers, contentLength, rest);
    }

    private static long receive(byte[] already, InputStream body, Path file, long declared) throws IOException {
        long total = 0;
        try (OutputStream out = Files.newOutputStream(file)) {
            int first = (int) Math.min(already.length, declared);
            out.write(already, 0, first);
            total += first;
            byte[] buf = new byte[64 * 1024];
            while (total < declared) {
                int n = body.read(buf, 0, (int) Math.min(buf.length, declared - total));
                if (n < 0) {
                    break;
                }
                out.write(buf, 0, n);
                total += n;
            }
        }
        return total;
    }

    /**
     * Answer and close. Unread request bytes (a body sent along with a refused request) are drained
     * for a moment first: closing a socket with unread input makes the kernel reset the connection,
     * and the client would see "connection reset" instead of the answer. {@code unread} is the body
     * length still to come, or -1 when unknown (drained up to 64 KiB); either way at most 1 MiB and 1 s.
     */
    private static void respond(Socket s, int status, String message, long unread) throws IOException {
        byte[] body = (message + "\n").getBytes(StandardCharsets.UTF_8);
        String head = "HTTP/1.1 " + status + " " + reasonPhrase(status) + "\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: " + body.length + "\r\n"
                + "Connection: close\r\n\r\n";
        OutputStream out = s.getOutputStream();
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        out.write(body);
        out.flush();
        s.shutdownOutput();
        if (unread != 0) {
            drain(s, unread);
        }
    }

    private static void drain(Socket s, long unread) {
        try {
            s.setSoTimeout(1000);
            InputStream in = s.getInputStream();
            byte[] buf = new byte[16 * 1024];
            long left = Math.min(unread < 0 ? 64 << 10 : unread, 1L << 20);
            while (left > 0) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) {
                    return;
                }
                left -= n;
            }
        } catch (IOException ignored) {
            // Best effort only.
        }
    }

    private static String reasonPhrase(int status) {
        return switch (status) {
            case 100 -> "Continue";
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 408 -> "Request Timeout";
            case 409 -> "Conflict";
            case 411 -> "Length Required";
            case 413 -> "Content Too Large";
            case 422 -> "Unprocessable Content";
            case 429 -> "Too Many Requests";
            case 431 -> "Request Header Fields Too Large";
            case 503 -> "Service Unavailable";
            case 507 -> "Insufficient Storage";
            default -> "Internal Server Error";
        };
    }
}
