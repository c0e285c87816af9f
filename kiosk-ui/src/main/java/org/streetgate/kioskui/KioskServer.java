package org.streetgate.kioskui;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.tinylog.Logger;

/**
 * The kiosk's web server: the static screen and a small JSON API over a {@link KioskPort}, on a
 * {@link BoundedHttpServer} (every request bounded in size and time, one virtual thread per
 * connection). Routes are plain lambdas in one table; {@link KioskException} maps to its status in
 * {@link #fail}, anything else becomes a 500 and one log line. Live updates go to the page as
 * Server-Sent Events on {@code /api/events}.
 *
 * <p>Only the kiosk's own browser should reach it: a request whose {@code Host} is not the bound
 * address is refused (421: a DNS-rebinding page in some browser names its own host), a write from
 * another {@code Origin} is 403 and a write that is not {@code application/json} is 415 (a plain
 * HTML form cannot send one). Binding to anything but loopback needs {@link Options#allowNonLoopback}.
 *
 * <p>Request bodies carry codes and PINs, so nothing here logs a body, a query string or a header.
 */
public final class KioskServer implements AutoCloseable {
    /** Courier and technician sessions travel in this header. */
    public static final String SESSION_HEADER = "X-Kiosk-Session";
    static final int MAX_BODY_BYTES = 16 * 1024;
    /** The longest request target (path and query) served; the screen's own are under 40. */
    static final int MAX_TARGET_CHARS = 2048;
    /** Pages connected for live updates at once; the kiosk has one screen. */
    static final int MAX_LIVE_CLIENTS = 8;
    private static final long HEARTBEAT_SECONDS = 15;
    private static final Map<String, String> STATIC = Map.of(
            "/", "index.html",
            "/index.html", "index.html",
            "/kiosk.css", "kiosk.css",
            "/kiosk.js", "kiosk.js");

    /**
     * How the server may be reached and how much it takes.
     *
     * @param allowNonLoopback whether {@code bind} may be other than a loopback address (a screen on
     *                         another machine); the profile must say so, and the log warns
     * @param limits           connections, sizes and times
     */
    public record Options(boolean allowNonLoopback, BoundedHttpServer.Limits limits) {
        public Options {
            Objects.requireNonNull(limits, "limits");
        }

        /** Loopback only; 32 connections; 2 KiB request line, 8 KiB headers, 16 KiB body; 10 s to send a request. */
        public static Options defaults() {
            return new Options(false, new BoundedHttpServer.Limits(32, MAX_TARGET_CHARS + 32, 8 * 1024, 64,
                    MAX_BODY_BYTES, Duration.ofSeconds(10), Duration.ofSeconds(10)));
        }

        public Options withAllowNonLoopback(boolean allow) {
            return new Options(allow, limits);
        }

        Options withLimits(BoundedHttpServer.Limits l) {
            return new Options(allowNonLoopback, l);
        }
    }

    /** One API route: reads the request, returns what to send as JSON. */
    @FunctionalInterface
    interface Route {
        Object handle(Request request) throws Exception;
    }

    /** The parts of a request a route may use. */
    record Request(Map<String, Object> body, String session) {
        String text(String key) {
            if (body.get(key) instanceof String s && !s.isBlank()) {
                return s.strip();
            }
            throw new KioskException(KioskException.Reason.BAD_REQUEST, "'" + key + "' must be non-empty text");
        }

        /** A door number: a whole JSON number from 1 to 999. */
        int door(String key) {
            if (body.get(key) instanceof Number n && n.doubleValue() == n.intValue() && n.intValue() >= 1
                    && n.intValue() <= 999) {
                return n.intValue();
            }
            throw new KioskException(KioskException.Reason.BAD_REQUEST, "'" + key + "' must be a door number");
        }

        String sessionOrFail() {
            if (session == null || session.isBlank()) {
                throw new KioskException(KioskException.Reason.NOT_LOGGED_IN, "no session");
            }
            return session;
        }
    }

    private final KioskPort port;
    private final BoundedHttpServer http;
    private final Set<String> hosts;
    private final Set<String> origins;
    private final ObjectMapper json = new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
    private final Map<String, Route> posts = new LinkedHashMap<>();
    private final Map<String, Route> gets = new LinkedHashMap<>();
    private final Set<BlockingQueue<KioskPort.LiveEvent>> listeners = new CopyOnWriteArraySet<>();
    private final AutoCloseable subscription;
    private volatile boolean closed;

    private KioskServer(KioskPort port, InetSocketAddress bind, Options options) throws IOException {
        this.port = port;
        routes();
        this.http = new BoundedHttpServer(bind, options.limits(), this::exchange);
        this.hosts = hostNames(http.address());
        Set<String> o = new LinkedHashSet<>();
        hosts.forEach(h -> o.add("http://" + h));
        this.origins = Set.copyOf(o);
        this.subscription = port.subscribe(this::broadcast);
    }

    /**
     * Starts serving {@code port} on {@code bind} (use 127.0.0.1 on a kiosk: the screen is a local
     * browser, and nothing else should reach these endpoints). Port 0 picks a free port.
     */
    public static KioskServer start(KioskPort port, InetSocketAddress bind) {
        return start(port, bind, Options.defaults());
    }

    /**
     * As {@link #start(KioskPort, InetSocketAddress)}, with {@code options}. Throws
     * {@link IllegalStateException} for a bind other than loopback unless the options allow it.
     */
    public static KioskServer start(KioskPort port, InetSocketAddress bind, Options options) {
        if (bind.isUnresolved()) {
            throw new IllegalStateException("kiosk screen cannot listen on " + bind + ": unknown host");
        }
        if (!bind.getAddress().isLoopbackAddress()) {
            if (!options.allowNonLoopback()) {
                throw new IllegalStateException("kiosk screen bind " + bind.getAddress().getHostAddress()
                        + " is not a loopback address: anyone on that network could reach the pickup API;"
                        + " set kiosk.allow-non-loopback: true if the screen really is on another machine");
            }
            Logger.warn("kiosk screen listens on {}, beyond loopback: other machines can reach its pickup API",
                    bind.getAddress().getHostAddress());
        }
        try {
            return new KioskServer(port, bind, options);
        } catch (IOException e) {
            throw new IllegalStateException("kiosk screen cannot listen on " + bind + ": " + e.getMessage(), e);
        }
    }

    /** The Host values this server answers to: its address and port, and localhost for a loopback bind. */
    private static Set<String> hostNames(InetSocketAddress bound) throws SocketException {
        int p = bound.getPort();
        Set<String> out = new LinkedHashSet<>();
        InetAddress a = bound.getAddress();
        List<InetAddress> addresses = a.isAnyLocalAddress()
                ? NetworkInterface.networkInterfaces().flatMap(NetworkInterface::inetAddresses).toList() : List.of(a);
        for (InetAddress x : addresses) {
            String literal = x instanceof Inet6Address ? "[" + x.getHostAddress().replaceFirst("%.*$", "") + "]"
                    : x.getHostAddress();
            out.add(literal.toLowerCase(Locale.ROOT) + ":" + p);
            if (x.isLoopbackAddress()) {
                out.add("localhost:" + p);
            }
        }
        return Set.copyOf(out);
    }

    public int port() {
        return http.address().getPort();
    }

    public InetSocketAddress address() {
        return http.address();
    }

    /** Connections open now (for tests and health). */
    public int openConnections() {
        return http.openConnections();
    }

    /** Connections hung up on because a request or a write took too long, since start. */
    public long timedOutConnections() {
        return http.timedOut();
    }

    private void routes() {
        gets.put("/api/status", r -> port.status());
        posts.put("/api/pickup", r -> port.pickupByCode(r.door("door"), r.text("code")));
        posts.put("/api/pickup/qr", r -> port.pickupByQr(r.text("qr")));
        posts.put("/api/courier/login", r -> port.courierLogin(r.text("pin")));
        gets.put("/api/courier/doors", r -> Map.of("sizes", port.freeDoors(r.sessionOrFail())));
        posts.put("/api/courier/deposit", r -> port.deposit(r.sessionOrFail(), r.text("size")));
        posts.put("/api/print", r -> port.printByQr(r.text("qr")));
        posts.put("/api/tech/login", r -> port.technicianLogin(r.text("pin")));
        gets.put("/api/tech/status", r -> port.maintenance(r.sessionOrFail()));
        posts.put("/api/tech/action", r -> {
            Map<String, Object> args = new LinkedHashMap<>(r.body());
            args.remove("action");
            return port.maintenanceAction(r.sessionOrFail(), r.text("action"), args);
        });
        posts.put("/api/session/end", r -> {
            if (r.session() != null) {
                port.endSession(r.session());
            }
            return Map.of("ended", true);
        });
    }

    private void exchange(BoundedHttpServer.Request ex, BoundedHttpServer.Response out) throws IOException {
        String method = ex.method();
        // The decoded path only: a query string is never a route's input, and '%2e%2e' decodes to
        // '..', which matches no entry of the fixed tables below.
        String path = ex.path();
        try {
            String host = ex.header("host");
            if (host == null) {
                send(out, 400, Map.of(), Map.of("error", "bad-request"));
                return;
            }
            if (!hosts.contains(host.toLowerCase(Locale.ROOT))) {
                send(out, 421, Map.of(), Map.of("error", "wrong-host"));
                return;
            }
            if (ex.rawPath().length() + Objects.toString(ex.rawQuery(), "").length() > MAX_TARGET_CHARS) {
                send(out, 414, Map.of(), Map.of("error", "uri-too-long"));
                return;
            }
            if (method.equals("GET") && path.equals("/api/events")) {
                events(out);
                return;
            }
            if ((method.equals("GET") || method.equals("HEAD")) && STATIC.containsKey(path)) {
                asset(out, STATIC.get(path), method.equals("HEAD"));
                return;
            }
            Route route = switch (method) {
                case "GET" -> gets.get(path);
                case "POST" -> posts.get(path);
                default -> null;
            };
            if (route == null) {
                String allow = allowed(path);
                if (allow == null) {
                    send(out, 404, Map.of(), Map.of("error", "not-found"));
                } else {
                    send(out, 405, Map.of("Allow", allow), Map.of("error", "method-not-allowed"));
                }
                return;
            }
            if (method.equals("POST")) {
                String origin = ex.header("origin");
                if (origin != null && !origins.contains(origin.toLowerCase(Locale.ROOT))) {
                    send(out, 403, Map.of(), Map.of("error", "wrong-origin"));
                    return;
                }
                String type = Objects.toString(ex.header("content-type"), "");
                if (!type.split(";", 2)[0].strip().equalsIgnoreCase("application/json")) {
                    send(out, 415, Map.of(), Map.of("error", "not-json"));
                    return;
                }
            }
            Object result;
            try {
                Request request = new Request(method.equals("POST") ? body(ex.body()) : Map.of(), ex.header(SESSION_HEADER));
                result = route.handle(request);
            } catch (Exception e) {
                fail(out, method, path, e);
                return;
            }
            send(out, 200, Map.of(), result == null ? Map.of() : result);
        } catch (IOException e) {
            Logger.debug("kiosk-ui {} {}: client went away: {}", method, path, e.getMessage());
        }
    }

    /** The methods {@code path} answers to, for a 405's Allow header; null for a path that is not there. */
    private String allowed(String path) {
        if (STATIC.containsKey(path)) {
            return "GET, HEAD";
        }
        if (path.equals("/api/events") || gets.containsKey(path)) {
            return "GET";
        }
        return posts.containsKey(path) ? "POST" : null;
    }

    /** The one place where failures become responses. */
    private void fail(BoundedHttpServer.Response out, String method, String path, Exception e) throws IOException {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            send(out, 503, Map.of(), Map.of("error", "shutting-down"));
            return;
        }
        if (e instanceof KioskException k) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("error", k.reason().wire());
            Map<String, String> headers = new LinkedHashMap<>();
            if (k.retryAfterSeconds() > 0) {
                body.put("retry_after_s", k.retryAfterSeconds());
                headers.put("Retry-After", Long.toString(k.retryAfterSeconds()));
            }
            send(out, k.reason().httpStatus(), headers, body);
            return;
        }
        if (e instanceof JsonProcessingException) {
            send(out, 400, Map.of(), Map.of("error", "bad-request"));
            return;
        }
        Logger.error(e, "kiosk-ui {} {} failed", method, path);
        send(out, 500, Map.of(), Map.of("error", "internal"));
    }

    private Map<String, Object> body(byte[] bytes) throws IOException {
        if (bytes.length == 0) {
            return Map.of();
        }
        Object parsed = json.readValue(bytes, Object.class);
        if (!(parsed instanceof Map<?, ?> m)) {
            throw new KioskException(KioskException.Reason.BAD_REQUEST, "body must be a JSON object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> map = (Map<String, Object>) m;
        return map;
    }

    private void send(BoundedHttpServer.Response out, int status, Map<String, String> extra, Object body)
            throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        Map<String, String> headers = new LinkedHashMap<>(extra);
        headers.put("Content-Type", "application/json; charset=utf-8");
        headers.put("Cache-Control", "no-store");
        headers.put("X-Content-Type-Options", "nosniff");
        out.send(status, headers, bytes, false);
    }

    private void asset(BoundedHttpServer.Response out, String name, boolean headOnly) throws IOException {
        byte[] bytes;
        try (InputStream in = KioskServer.class.getResourceAsStream("web/" + name)) {
            if (in == null) {
                send(out, 404, Map.of(), Map.of("error", "not-found"));
                return;
            }
            bytes = in.readAllBytes();
        }
        String type = name.endsWith(".html") ? "text/html" : name.endsWith(".css") ? "text/css" : "text/javascript";
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", type + "; charset=utf-8");
        headers.put("Cache-Control", "no-cache");
        headers.put("Content-Security-Policy", "default-src 'self'; img-src 'self' data:");
        headers.put("X-Content-Type-Options", "nosniff");
        out.send(200, headers, bytes, headOnly);
    }

    /** Server-Sent Events: the current status first, then every live event, with a heartbeat. */
    private void events(BoundedHttpServer.Response response) throws IOException {
        BlockingQueue<KioskPort.LiveEvent> queue = new LinkedBlockingQueue<>(256);
        synchronized (listeners) {
            if (listeners.size() >= MAX_LIVE_CLIENTS) {
                send(response, 503, Map.of("Retry-After", "5"), Map.of("error", "too-many-screens"));
                return;
            }
            listeners.add(queue);
        }
        try {
            OutputStream out = response.stream(200, Map.of("Content-Type", "text/event-stream; charset=utf-8",
                    "Cache-Control", "no-store"));
            out.write("retry: 2000\n\n".getBytes(StandardCharsets.UTF_8));
            writeEvent(out, new KioskPort.LiveEvent("status", json.convertValue(port.status(), Map.class)));
            while (!closed) {
                KioskPort.LiveEvent e = queue.poll(HEARTBEAT_SECONDS, TimeUnit.SECONDS);
                if (closed || e == CLOSING) {
                    break;
                }
                if (e == null) {
                    out.write(": ping\n\n".getBytes(StandardCharsets.UTF_8));
                    out.flush();
                } else {
                    writeEvent(out, e);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            listeners.remove(queue);
        }
    }

    private static final KioskPort.LiveEvent CLOSING = new KioskPort.LiveEvent("closing", Map.of());

    private void writeEvent(OutputStream out, KioskPort.LiveEvent e) throws IOException {
        String data = json.writeValueAsString(e.data());
        out.write(("event: " + e.type() + "\ndata: " + data + "\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private void broadcast(KioskPort.LiveEvent e) {
        for (BlockingQueue<KioskPort.LiveEvent> q : listeners) {
            if (!q.offer(e)) {
                Logger.warn("kiosk-ui: a screen is not reading its live updates; dropped a {} event", e.type());
            }
        }
    }

    /** How many pages are connected for live updates (for tests and the maintenance page). */
    public int liveClients() {
        return listeners.size();
    }

    @Override
    public void close() {
        closed = true;
        for (BlockingQueue<KioskPort.LiveEvent> q : List.copyOf(listeners)) {
            q.offer(CLOSING);
        }
        try {
            subscription.close();
        } catch (Exception e) {
            Logger.debug("kiosk-ui: unsubscribing: {}", e.getMessage());
        }
        http.close();
    }
}
