package org.streetgate.ota.push;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.streetgate.ota.BundleException;
import org.streetgate.ota.BusyException;
import org.streetgate.ota.OtaException;
import org.streetgate.ota.UpdateAgent.StagedRelease;
import org.tinylog.Logger;

/**
 * The gateway's local endpoint for {@code ota push}: {@code PUT /ota/bundle[?reinstall=true]} with the
 * bundle as body and {@code Authorization: Bearer TOKEN}. Without the right token nothing is read.
 * Answers: 200 staged, 401 no or wrong token, 409 busy, 413 too large, 422 bundle refused, 500 failure;
 * the body is one line of text saying why.
 */
public final class PushEndpoint implements AutoCloseable {
    public static final String PATH = "/ota/bundle";
    private static final int MIN_TOKEN_LENGTH = 16;

    /** What the endpoint does with a received bundle: the agent's installFile. */
    @FunctionalInterface
    public interface Installer {
        StagedRelease install(Path bundle, boolean reinstall);
    }

    private final HttpServer server;
    private final AtomicLong counter = new AtomicLong();

    private PushEndpoint(HttpServer server) {
        this.server = server;
    }

    public static PushEndpoint start(InetSocketAddress bind, String token, Path downloads, long maxBytes, Installer installer) {
        if (token == null || token.strip().length() < MIN_TOKEN_LENGTH) {
            throw new IllegalArgumentException("the push endpoint needs a technician token of at least "
                    + MIN_TOKEN_LENGTH + " characters; refusing to start without one");
        }
        byte[] expected = ("Bearer " + token.strip()).getBytes(StandardCharsets.UTF_8);
        HttpServer server;
        try {
            server = HttpServer.create(bind, 4);
        } catch (IOException e) {
            throw new OtaException("cannot bind the OTA push endpoint to " + bind + ": " + e.getMessage(), e);
        }
        PushEndpoint endpoint = new PushEndpoint(server);
        server.createContext(PATH, ex -> endpoint.handle(ex, expected, downloads, maxBytes, installer));
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        Logger.info("OTA push endpoint listening on {}", server.getAddress());
        return endpoint;
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    private void handle(HttpExchange ex, byte[] expected, Path downloads, long maxBytes, Installer installer) throws IOException {
        try (ex) {
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            // Constant-time comparison: the token must not leak through response timing.
            if (auth == null || !MessageDigest.isEqual(auth.getBytes(StandardCharsets.UTF_8), expected)) {
                Logger.warn("OTA push from {} refused: missing or wrong technician token", ex.getRemoteAddress());
                reply(ex, 401, "unauthorized: a valid technician token is required");
                return;
            }
            if (!ex.getRequestMethod().equals("PUT") && !ex.getRequestMethod().equals("POST")) {
                reply(ex, 405, "use PUT " + PATH);
                return;
            }
            long declared = parseLength(ex.getRequestHeaders().getFirst("Content-Length"));
            if (declared > maxBytes) {
                reply(ex, 413, "bundle of " + declared + " bytes exceeds the " + maxBytes + " byte limit");
                return;
            }
            boolean reinstall = "reinstall=true".equals(ex.getRequestURI().getRawQuery());
            Files.createDirectories(downloads);
            Path file = downloads.resolve("push-" + ProcessHandle.current().pid() + "-" + counter.incrementAndGet() + ".part");
            try {
                if (!receive(ex.getRequestBody(), file, maxBytes)) {
                    reply(ex, 413, "bundle exceeds the " + maxBytes + " byte limit");
                    return;
                }
                StagedRelease staged = installer.install(file, reinstall);
                reply(ex, 200, "staged " + staged.version() + " (release counter " + staged.releaseCounter()
                        + ") as a trial; restart the gateway to boot it");
            } catch (BundleException e) {
                reply(ex, 422, "refused: " + e.getMessage());
            } catch (BusyException e) {
                reply(ex, 409, "busy: " + e.getMessage());
            } catch (OtaException e) {
                reply(ex, 500, "failed: " + e.getMessage());
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (RuntimeException e) {
            Logger.error(e, "OTA push failed");
            reply(ex, 500, "failed: " + e.getMessage());
        }
    }

    private static boolean receive(InputStream body, Path file, long maxBytes) throws IOException {
        long total = 0;
        try (OutputStream out = Files.newOutputStream(file)) {
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = body.read(buf)) > 0; ) {
                total += n;
                if (total > maxBytes) {
                    return false;
                }
                out.write(buf, 0, n);
            }
        }
        return true;
    }

    private static long parseLength(String header) {
        try {
            return header == null ? -1 : Long.parseLong(header.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void reply(HttpExchange ex, int status, String message) throws IOException {
        byte[] body = (message + "\n").getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        ex.sendResponseHeaders(status, body.length);
        ex.getResponseBody().write(body);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
