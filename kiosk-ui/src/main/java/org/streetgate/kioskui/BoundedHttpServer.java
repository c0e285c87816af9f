package org.streetgate.kioskui;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.tinylog.Logger;

/**
 * A small HTTP/1.1 server on blocking sockets, one virtual thread per connection, where every
 * outside input is bounded in size and time: the number of connections, the request line, the
 * header block, the body, and the time to send them. The JDK's HttpServer has no read timeout of its
 * own (only process-wide system properties that the OTA push endpoint would share), and a few
 * thousand stalled requests once ran a kiosk out of heap.
 *
 * <p>One request per connection ({@code Connection: close}): the screen is one local browser and
 * the price of a new loopback connection is nothing. A watchdog closes any connection whose request
 * has not arrived within {@code readTimeout}, or whose reader has taken longer than
 * {@code writeTimeout} to accept a write. When all connections are taken, a new one evicts the
 * oldest still sending its request, so stalled clients cannot keep a good one out.
 */
final class BoundedHttpServer implements AutoCloseable {

    /**
     * @param maxConnections      open connections at once, streams included
     * @param maxRequestLineChars the longest request line (method, target, version)
     * @param maxHeaderBytes      the header block after the request line
     * @param maxHeaders          header fields
     * @param maxBodyBytes        a request body (by its Content-Length; chunked bodies are refused)
     * @param readTimeout         from accepting a connection to having its whole request
     * @param writeTimeout        the longest a single write may wait for the client to read
     */
    record Limits(int maxConnections, int maxRequestLineChars, int maxHeaderBytes, int maxHeaders, int maxBodyBytes,
                  Duration readTimeout, Duration writeTimeout) {
        Limits {
            if (maxConnections < 1 || maxRequestLineChars < 16 || maxHeaderBytes < 256 || maxHeaders < 4
                    || maxBodyBytes < 0) {
                throw new IllegalArgumentException("HTTP limits too small to serve anything");
            }
            if (readTimeout.isNegative() || readTimeout.isZero() || writeTimeout.isNegative() || writeTimeout.isZero()) {
                throw new IllegalArgumentException("HTTP read and write timeouts must be positive");
            }
        }
    }

    /** A request as read: {@code path} decoded, header names in lower case. */
    record Request(String method, String path, String rawPath, String rawQuery, Map<String, String> headers,
                   byte[] body) {
        String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    @FunctionalInterface
    interface Handler {
        void handle(Request request, Response response) throws IOException;
    }

    /** What a handler answers with: one whole response, or a stream of unknown length. */
    interface Response {
        void send(int status, Map<String, String> headers, byte[] body, boolean headOnly) throws IOException;

        /** Sends the status and headers; the body is written to the stream and ends when the connection closes. */
        OutputStream stream(int status, Map<String, String> headers) throws IOException;
    }

    private enum Phase { READING, HANDLING }

    private final class Connection {
        final Socket socket;
        final long accepted = System.nanoTime();
        volatile Phase phase = Phase.READING;
        /** Nanos by which the current read or write must be done; 0 while the handler works. */
        volatile long deadline;

        Connection(Socket socket) {
            this.socket = socket;
            this.deadline = accepted + limits.readTimeout().toNanos();
        }

        void close() {
            try {
                socket.close();
            } catch (IOException e) {
                Logger.debug("kiosk-ui: closing a connection: {}", e.getMessage());
            }
        }
    }

    /** A request the server answers itself, before any handler sees it. */
    private static final class Refused extends IOException {
        final int status;

        Refused(int status, String why) {
            super(why);
            this.status = status;
        }
    }

    private final Limits limits;
    private final Handler handler;
    private final ServerSocket listener;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final AtomicLong timedOut = new AtomicLong();
    private final AtomicLong evicted = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final Thread acceptor;
    private final Thread watchdog;
    private volatile boolean closed;

    BoundedHttpServer(InetSocketAddress bind, Limits limits, Handler handler) throws IOException {
        this.limits = limits;
        this.handler = handler;
        this.listener = new ServerSocket();
        listener.bind(bind, 64);
        this.acceptor = Thread.ofVirtual().name("kiosk-ui accept").start(this::accept);
        this.watchdog = Thread.ofVirtual().name("kiosk-ui watchdog").start(this::watch);
    }

    InetSocketAddress address() {
        return (InetSocketAddress) listener.getLocalSocketAddress();
    }

    /** Connections open now. */
    int openConnections() {
        return connections.size();
    }

    /** Connections closed because a request or a write took too long, since start. */
    long timedOut() {
        return timedOut.get();
    }

    /** Connections closed mid-request to make room for a new one, since start. */
    long evicted() {
        return evicted.get();
    }

    private void accept() {
        while (!closed) {
            Socket s;
            try {
                s = listener.accept();
            } catch (IOException e) {
                if (!closed) {
                    Logger.warn("kiosk-ui: accept failed: {}", e.getMessage());
                }
                continue;
            }
            if (connections.size() >= limits.maxConnections() && !evictOldestReader()) {
                refused.incrementAndGet();
                Thread.ofVirtual().start(() -> refuse(s));
                continue;
            }
            Connection c = new Connection(s);
            connections.add(c);
            Thread.ofVirtual().name("kiosk-ui connection").start(() -> serve(c));
        }
    }

    private boolean evictOldestReader() {
        return connections.stream().filter(c -> c.phase == Phase.READING)
                .min(Comparator.comparingLong(c -> c.accepted))
                .map(c -> {
                    if (connections.remove(c)) {
                        evicted.incrementAndGet();
                        c.close();
                    }
                    return true;
                }).orElse(false);
    }

    /** Every connection is busy with real work (streams, doors opening): say so and hang up. */
    private void refuse(Socket s) {
        try (s) {
            s.setSoTimeout(1000);
            OutputStream out = s.getOutputStream();
            out.write(head(503, Map.of("Content-Type", "application/json", "Retry-After", "2"), 20));
            out.write("{\"error\":\"too-busy\"}".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        } catch (IOException e) {
            Logger.debug("kiosk-ui: refusing a connection: {}", e.getMessage());
        }
    }

    private void watch() {
        long tick = Math.max(10, Math.min(250, Math.min(limits.readTimeout().toMillis(), limits.writeTimeout().toMillis()) / 5));
        while (!closed) {
            try {
                Thread.sleep(tick);
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            for (Connection c : connections) {
                long d = c.deadline;
                if (d != 0 && now - d > 0 && connections.remove(c)) {
                    timedOut.incrementAndGet();
                    c.close();
                }
            }
        }
    }

    private void serve(Connection c) {
        try (Socket s = c.socket) {
            InputStream in = new BufferedInputStream(s.getInputStream(), 4096);
            OutputStream out = new DeadlineOutput(c, s.getOutputStream());
            Request request;
            try {
                request = read(in);
            } catch (Refused r) {
                c.phase = Phase.HANDLING;
                c.deadline = 0;
                writeError(out, r.status);
                // Let the client read the answer rather than see a reset for the bytes it still sends.
                s.shutdownOutput();
                c.deadline = System.nanoTime() + limits.readTimeout().toNanos();
                drain(in);
                return;
            }
            c.phase = Phase.HANDLING;
            c.deadline = 0;
            handler.handle(request, new SocketResponse(out, request.method().equals("HEAD")));
        } catch (IOException e) {
            Logger.debug("kiosk-ui: connection ended: {}", e.getMessage());
        } catch (RuntimeException e) {
            Logger.error(e, "kiosk-ui: a request failed");
        } finally {
            connections.remove(c);
        }
    }

    private static void drain(InputStream in) {
        byte[] buf = new byte[4096];
        try {
            long total = 0;
            int n;
            while (total < 1 << 20 && (n = in.read(buf)) >= 0) {
                total += n;
            }
        } catch (IOException e) {
            // closed by the watchdog or the client: either way done
        }
    }

    private Request read(InputStream in) throws IOException {
        String line = line(in, limits.maxRequestLineChars(), 414, "request line");
        String[] parts = line.split(" ", -1);
        if (parts.length != 3 || !parts[0].matches("[A-Z]{1,16}") || !parts[2].matches("HTTP/1\\.[01]")) {
            throw new Refused(400, "malformed request line");
        }
        URI uri;
        try {
            uri = new URI(parts[1]);
        } catch (URISyntaxException e) {
            throw new Refused(400, "malformed request target");
        }
        if (uri.getRawPath() == null || !uri.getRawPath().startsWith("/")) {
            throw new Refused(400, "request target must be a path");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        int budget = limits.maxHeaderBytes();
        int fields = 0;
        while (true) {
            String h = line(in, budget, 431, "header block");
            budget -= h.length() + 2;
            if (h.isEmpty()) {
                break;
            }
            int colon = h.indexOf(':');
            if (colon <= 0 || h.charAt(0) == ' ' || h.charAt(0) == '\t' || h.substring(0, colon).contains(" ")) {
                throw new Refused(400, "malformed header line");
            }
            if (++fields > limits.maxHeaders()) {
                throw new Refused(431, "too many header fields");
            }
            String name = h.substring(0, colon).toLowerCase(Locale.ROOT);
            String value = h.substring(colon + 1).strip();
            if (headers.containsKey(name)) {
                if (name.equals("host") || name.equals("content-length")) {
                    throw new Refused(400, "two " + name + " headers");
                }
                value = headers.get(name) + ", " + value;
            }
            headers.put(name, value);
        }
        if (headers.containsKey("transfer-encoding")) {
            throw new Refused(411, "chunked request bodies are not accepted");
        }
        byte[] body = new byte[0];
        String length = headers.get("content-length");
        if (length != null) {
            if (!length.matches("[0-9]{1,10}")) {
                throw new Refused(400, "malformed Content-Length");
            }
            long n = Long.parseLong(length);
            if (n > limits.maxBodyBytes()) {
                throw new Refused(413, "body over " + limits.maxBodyBytes() + " bytes");
            }
            body = in.readNBytes((int) n);
            if (body.length < n) {
                throw new IOException("client closed mid-body");
            }
        }
        return new Request(parts[0], uri.getPath(), uri.getRawPath(), uri.getRawQuery(), headers, body);
    }

    /** One CRLF- (or LF-) terminated line of at most {@code max} characters, in ISO-8859-1 as HTTP's bytes are. */
    private static String line(InputStream in, int max, int status, String what) throws IOException {
        StringBuilder sb = new StringBuilder();
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("client closed mid-request");
            }
            if (b == '\n') {
                int n = sb.length();
                return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
            }
            if (sb.length() >= max) {
                throw new Refused(status, what + " over " + max + " characters");
            }
            sb.append((char) b);
        }
    }

    private static void writeError(OutputStream out, int status) throws IOException {
        byte[] body = ("{\"error\":\"" + switch (status) {
            case 411 -> "length-required";
            case 413 -> "body-too-large";
            case 414 -> "uri-too-long";
            case 431 -> "headers-too-large";
            default -> "bad-request";
        } + "\"}").getBytes(StandardCharsets.US_ASCII);
        out.write(head(status, Map.of("Content-Type", "application/json; charset=utf-8"), body.length));
        out.write(body);
        out.flush();
    }

    private static byte[] head(int status, Map<String, String> headers, long length) {
        StringBuilder sb = new StringBuilder("HTTP/1.1 ").append(status).append(' ').append(reason(status)).append("\r\n");
        headers.forEach((k, v) -> sb.append(k).append(": ").append(v).append("\r\n"));
        if (length >= 0) {
            sb.append("Content-Length: ").append(length).append("\r\n");
        }
        sb.append("Connection: close\r\n\r\n");
        return sb.toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String reason(int status) {
        return switch (status) {
            case 200 -> "OK";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 405 -> "Method Not Allowed";
            case 409 -> "Conflict";
            case 411 -> "Length Required";
            case 413 -> "Content Too Large";
            case 414 -> "URI Too Long";
            case 415 -> "Unsupported Media Type";
            case 421 -> "Misdirected Request";
            case 429 -> "Too Many Requests";
            case 431 -> "Request Header Fields Too Large";
            case 500 -> "Internal Server Error";
            case 503 -> "Service Unavailable";
            default -> "Status";
        };
    }

    private final class SocketResponse implements Response {
        private final OutputStream out;
        private final boolean head;
        private boolean sent;

        SocketResponse(OutputStream out, boolean head) {
            this.out = out;
            this.head = head;
        }

        @Override
        public void send(int status, Map<String, String> headers, byte[] body, boolean headOnly) throws IOException {
            once();
            out.write(head(status, headers, body.length));
            if (!head && !headOnly) {
                out.write(body);
            }
            out.flush();
        }

        @Override
        public OutputStream stream(int status, Map<String, String> headers) throws IOException {
            once();
            out.write(head(status, headers, -1));
            out.flush();
            return out;
        }

        private void once() {
            if (sent) {
                throw new IllegalStateException("response already sent");
            }
            sent = true;
        }
    }

    /** Arms the watchdog for the length of each write: a client that stops reading is hung up on. */
    private final class DeadlineOutput extends OutputStream {
        private final Connection c;
        private final OutputStream out;

        DeadlineOutput(Connection c, OutputStream out) {
            this.c = c;
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            c.deadline = System.nanoTime() + limits.writeTimeout().toNanos();
            try {
                out.write(b, off, len);
            } finally {
                c.deadline = 0;
            }
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() {
            // the connection owns the socket
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            listener.close();
        } catch (IOException e) {
            Logger.debug("kiosk-ui: closing the listener: {}", e.getMessage());
        }
        acceptor.interrupt();
        watchdog.interrupt();
        for (Connection c : connections) {
            c.close();
        }
        connections.clear();
    }
}
