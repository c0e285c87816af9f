package org.streetgate.kioskui;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.tinylog.Logger;

/**
 * The kiosk's web server: the static screen and a small JSON API over a {@link KioskPort}, on the
 * JDK's HttpServer with one virtual thread per exchange. Routes are plain lambdas in one table;
 * {@link KioskException} maps to its status in {@link #fail}, anything else becomes a 500 and one log
 * line. Live updates go to the page as Server-Sent Events on {@code /api/events}.
 *
 * <p>Request bodies carry codes and PINs, so nothing here logs a body, a query string or a header.
 */
public final class KioskServer implements AutoCloseable {
    /** Courier and technician sessions travel in this header. */
    public static final String SESSION_HEADER = "X-Kiosk-Session";
    static final int MAX_BODY_BYTES = 16 * 1024;
    /** The longest request target (path and query) served; the screen's own are under 40. */
    static final int MAX_TARGET_CHARS = 2048;
    private static final long HEARTBEAT_SECONDS = 15;
    private static final Map<String, String> STATIC = Map.of(
            "/", "index.html",
            "/index.html", "index.html",
            "/kiosk.css", "kiosk.css",
            "/kiosk.js", "kiosk.js");

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

        String sessionOrFail() {
            if (session == null || session.isBlank()) {
                throw new KioskException(KioskException.Reason.NOT_LOGGED_IN, "no session");
            }
            return session;
        }
    }

    private final KioskPort port;
    private final HttpServer http;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final ObjectMapper json = new ObjectMapper().setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);
    private final Map<String, Route> posts = new LinkedHashMap<>();
    private final Map<String, Route> gets = new LinkedHashMap<>();
    private final Set<BlockingQueue<KioskPort.LiveEvent>> listeners = new CopyOnWriteArraySet<>();
    private final AutoCloseable subscription;
    private volatile boolean closed;

    private KioskServer(KioskPort port, InetSocketAddress bind) throws IOException {
        this.port = port;
        routes();
        this.http = HttpServer.create(bind, 32);
        http.setExecutor(executor);
        http.createContext("/", this::exchange);
        this.subscription = port.subscribe(this::broadcast);
        http.start();
    }

    /**
     * Starts serving {@code port} on {@code bind} (use 127.0.0.1 on a kiosk: the screen is a local
     * browser, and nothing else should reach these endpoints). Port 0 picks a free port.
     */
    public static KioskServer start(KioskPort port, InetSocketAddress bind) {
        try {
            return new KioskServer(port, bind);
        } catch (IOException e) {
            throw new IllegalStateException("kiosk screen cannot listen on " + bind + ": " + e.getMessage(), e);
        }
    }

    public int port() {
        return http.getAddress().getPort();
    }

    public InetSocketAddress address() {
        return http.getAddress();
    }

    private void routes() {
        gets.put("/api/status", r -> port.status());
        posts.put("/api/pickup", r -> port.pickupByCode(r.text("code")));
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

    private void exchange(HttpExchange ex) throws IOException {
        String method = ex.getRequestMethod();
        // The decoded path only: a query string is never a route's input, and '%2e%2e' decodes to
        // '..', which matches no entry of the fixed tables below.
        String path = ex.getRequestURI().getPath();
        try (ex) {
            if (ex.getRequestURI().getRawPath().length() + Objects.toString(ex.getRequestURI().getRawQuery(), "").length()
                    > MAX_TARGET_CHARS) {
                send(ex, 414, Map.of("error", "uri-too-long"));
                return;
            }
            if (method.equals("GET") && path.equals("/api/events")) {
                events(ex);
                return;
            }
            if ((method.equals("GET") || method.equals("HEAD")) && STATIC.containsKey(path)) {
                asset(ex, STATIC.get(path), method.equals("HEAD"));
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
                    send(ex, 404, Map.of("error", "not-found"));
                } else {
                    ex.getResponseHeaders().set("Allow", allow);
                    send(ex, 405, Map.of("error", "method-not-allowed"));
                }
                return;
            }
            Object result;
            try {
                Request request = new Request(method.equals("POST") ? body(ex) : Map.of(),
                        ex.getRequestHeaders().getFirst(SESSION_HEADER));
                result = route.handle(request);
            } catch (Exception e) {
                fail(ex, method, path, e);
                return;
            }
            send(ex, 200, result == null ? Map.of() : result);
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
    private void fail(HttpExchange ex, String method, String path, Exception e) throws IOException {
        if (e instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            send(ex, 503, Map.of("error", "shutting-down"));
            return;
        }
        if (e instanceof KioskException k) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("error", k.reason().wire());
            if (k.retryAfterSeconds() > 0) {
                body.put("retry_after_s", k.retryAfterSeconds());
                ex.getResponseHeaders().set("Retry-After", Long.toString(k.retryAfterSeconds()));
            }
            send(ex, k.reason().httpStatus(), body);
            return;
        }
        if (e instanceof JsonProcessingException || e instanceof BodyTooLarge) {
            send(ex, 400, Map.of("error", "bad-request"));
            return;
        }
        Logger.error(e, "kiosk-ui {} {} failed", method, path);
        send(ex, 500, Map.of("error", "internal"));
    }

    private static final class BodyTooLarge extends IOException {
        BodyTooLarge() {
            super("request body over " + MAX_BODY_BYTES + " bytes");
        }
    }

    private Map<String, Object> body(HttpExchange ex) throws IOException {
        byte[] bytes;
        try (InputStream in = ex.getRequestBody()) {
            bytes = in.readNBytes(MAX_BODY_BYTES + 1);
        }
        if (bytes.length > MAX_BODY_BYTES) {
            throw new BodyTooLarge();
        }
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

    private void send(HttpExchange ex, int status, Object body) throws IOException {
        byte[] bytes = json.writeValueAsBytes(body);
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    private void asset(HttpExchange ex, String name, boolean headOnly) throws IOException {
        byte[] bytes;
        try (InputStream in = KioskServer.class.getResourceAsStream("web/" + name)) {
            if (in == null) {
                send(ex, 404, Map.of("error", "not-found"));
                return;
            }
            bytes = in.readAllBytes();
        }
        String type = name.endsWith(".html") ? "text/html" : name.endsWith(".css") ? "text/css" : "text/javascript";
        ex.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-cache");
        ex.getResponseHeaders().set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:");
        ex.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
        if (headOnly) {
            ex.sendResponseHeaders(200, -1);
            return;
        }
        ex.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Server-Sent Events: the current status first, then every live event, with a heartbeat. */
    private void events(HttpExchange ex) throws IOException {
        BlockingQueue<KioskPort.LiveEvent> queue = new LinkedBlockingQueue<>(256);
        ex.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        ex.getResponseHeaders().set("Cache-Control", "no-store");
        ex.sendResponseHeaders(200, 0);
        listeners.add(queue);
        try (OutputStream out = ex.getResponseBody()) {
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
        http.stop(0);
        executor.shutdownNow();
    }
}
