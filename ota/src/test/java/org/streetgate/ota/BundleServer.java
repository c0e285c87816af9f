package org.streetgate.ota;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A local HTTP server for download tests: serves one file, honours or ignores Range, can cut the
 * first responses after some bytes (a dropped cellular link), and can answer scripted error statuses.
 */
final class BundleServer implements AutoCloseable {
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

    final byte[] content;
    final boolean honoursRange;
    final List<String> rangeHeaders = new CopyOnWriteArrayList<>();
    final Deque<Integer> cuts = new ArrayDeque<>();
    final Deque<Integer> statuses = new ArrayDeque<>();
    /** When set, every request is answered 302 to this URL. */
    volatile URI redirectTo;
    /** When set, 206 answers claim to start this many bytes later than asked (a confused proxy). */
    volatile int rangeSkew;
    private final HttpServer server;

    BundleServer(byte[] content, boolean honoursRange) throws IOException {
        this.content = content;
        this.honoursRange = honoursRange;
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/bundle.sgb", this::handle);
        server.start();
    }

    /** Cut the next response after {@code bytes} bytes of body (repeatable: one per call). */
    BundleServer cutAfter(int bytes) {
        cuts.add(bytes);
        return this;
    }

    /** Answer the next request with {@code status} and no body. */
    BundleServer answer(int status) {
        statuses.add(status);
        return this;
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/bundle.sgb");
    }

    int requests() {
        return rangeHeaders.size();
    }

    private synchronized void handle(HttpExchange ex) throws IOException {
        String range = ex.getRequestHeaders().getFirst("Range");
        rangeHeaders.add(range == null ? "-" : range);
        if (redirectTo != null) {
            ex.getResponseHeaders().set("Location", redirectTo.toString());
            ex.sendResponseHeaders(302, -1);
            ex.close();
            return;
        }
        Integer status = statuses.poll();
        if (status != null) {
            ex.sendResponseHeaders(status, -1);
            ex.close();
            return;
        }
        int start = 0;
        Matcher m = range == null ? null : RANGE.matcher(range);
        if (honoursRange && m != null && m.matches()) {
            start = Integer.parseInt(m.group(1));
            start = Math.min(content.length - 1, start + rangeSkew);
            ex.getResponseHeaders().set("Content-Range", "bytes " + start + "-" + (content.length - 1) + "/" + content.length);
            ex.sendResponseHeaders(206, content.length - start);
        } else {
            ex.sendResponseHeaders(200, content.length);
        }
        Integer cut = cuts.poll();
        OutputStream out = ex.getResponseBody();
        int end = cut == null ? content.length : Math.min(content.length, start + cut);
        out.write(content, start, end - start);
        out.flush();
        if (cut != null) {
            // Drop the connection mid-body, as a link that goes away does.
            throw new IOException("test server cuts the connection");
        }
        ex.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
