package org.streetgate.ota.download;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.streetgate.ota.OtaException;
import org.streetgate.ota.slots.Disk;
import org.streetgate.ota.util.Durable;
import org.streetgate.ota.util.Faults;
import org.streetgate.ota.util.Hex;
import org.streetgate.ota.util.Redact;
import org.tinylog.Logger;

/**
 * Downloads a bundle to downloads/SHA.part and renames it to SHA.sgb once the whole file hashes to
 * the offered sha256. Resumes with {@code Range} only when the server answers 206 with a matching
 * {@code Content-Range}; anything else restarts from zero. Retries are bounded with capped exponential
 * backoff and jitter; a 4xx is final (retrying a 404 forever helps no one), and so is a full disk.
 */
public final class Downloader implements AutoCloseable {
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");

    /** Bytes a download may receive beyond the bundle's size across all its attempts, by default. */
    public static final long DEFAULT_MAX_EXTRA_BYTES = 64L << 20;
    /** Redirects followed per request, each to an allowed host only. */
    static final int MAX_REDIRECTS = 5;

    /**
     * Retry and space policy. {@code spaceMargin} is kept free beyond the download and its extraction.
     * {@code maxExtraBytes} bounds what retries cost on a metered link: across all attempts a download
     * receives at most the bundle's size plus this many bytes (restarts from zero, overlapping resumes).
     */
    public record Settings(int maxAttempts, Duration firstBackoff, Duration maxBackoff, long spaceMargin,
                           Duration responseTimeout, long maxExtraBytes) {
        public Settings {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be >= 1");
            }
            if (maxExtraBytes < 0) {
                throw new IllegalArgumentException("maxExtraBytes must be >= 0");
            }
        }

        public Settings(int maxAttempts, Duration firstBackoff, Duration maxBackoff, long spaceMargin, Duration responseTimeout) {
            this(maxAttempts, firstBackoff, maxBackoff, spaceMargin, responseTimeout, DEFAULT_MAX_EXTRA_BYTES);
        }

        public static Settings defaults() {
            return new Settings(6, Duration.ofSeconds(2), Duration.ofMinutes(2), 16L << 20, Duration.ofSeconds(60));
        }

        public Settings withMaxExtraBytes(long bytes) {
            return new Settings(maxAttempts, firstBackoff, maxBackoff, spaceMargin, responseTimeout, bytes);
        }
    }

    /** Progress callback: bytes on disk so far out of the total. */
    @FunctionalInterface
    public interface Progress {
        void bytes(long have, long total);
    }

    private final HttpClient http;
    private final Disk disk;
    private final Settings settings;
    private final Set<String> allowedHosts;

    /** Redirects are followed only to the offer's own host. */
    public Downloader(HttpClient http, Disk disk, Settings settings) {
        this(http, disk, settings, List.of());
    }

    /** Redirects are followed only to the offer's own host or one of {@code allowedHosts}. */
    public Downloader(HttpClient http, Disk disk, Settings settings, List<String> allowedHosts) {
        this.http = http;
        this.disk = disk;
        this.settings = settings;
        this.allowedHosts = Set.copyOf(allowedHosts);
    }

    /** Bytes received from the network for one {@link #fetch}, across its attempts. */
    private static final class Meter {
        long received;
    }

    /** Abort any download in progress and release the client's threads. */
    @Override
    public void close() {
        http.shutdownNow();
    }

    public static HttpClient defaultClient() {
        // Redirects are followed by hand, so that each one is checked against the allowed hosts.
        return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(15))
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** A failure worth another attempt (network, 5xx, bad bytes from a proxy). */
    private static final class Transient extends Exception {
        Transient(String message) {
            super(message);
        }
    }

    public Path fetch(URI url, String sha256, long size, Path dir, Progress progress) {
        String shown = Redact.url(url);
        Path done = dir.resolve(sha256 + ".sgb");
        Path part = dir.resolve(sha256 + ".part");
        try {
            Files.createDirectories(dir);
            if (Files.exists(done)) {
                if (Files.size(done) == size && sha256.equals(hashFile(done))) {
                    progress.bytes(size, size);
                    return done;
                }
                Files.delete(done);
            }
        } catch (IOException e) {
            throw new OtaException("cannot prepare " + dir + ": " + e.getMessage(), e);
        }
        Meter meter = new Meter();
        String last = "no attempt made";
        for (int attempt = 1; attempt <= settings.maxAttempts(); attempt++) {
            try {
                attemptOnce(url, sha256, size, part, progress, meter);
                Files.move(part, done, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                Durable.fsyncDir(dir);
                return done;
            } catch (Transient e) {
                last = Redact.message(e.getMessage(), url);
            } catch (IOException e) {
                if (Disk.isNoSpace(e)) {
                    deleteQuietly(part); // a stale partial file on a full disk makes every retry fail
                    throw new OtaException("disk full while downloading " + shown + ": " + Redact.message(e.getMessage(), url), e);
                }
                last = e.getClass().getSimpleName() + ": " + Redact.message(e.getMessage(), url);
            }
            Logger.warn("OTA download attempt {}/{} of {} failed: {}", attempt, settings.maxAttempts(), shown, last);
            if (attempt < settings.maxAttempts()) {
                sleep(backoff(attempt));
            }
        }
        throw new OtaException("download of " + shown + " failed after " + settings.maxAttempts() + " attempts: " + last);
    }

    private void attemptOnce(URI url, String sha256, long size, Path part, Progress progress, Meter meter)
            throws IOException, Transient {
        long have = Files.exists(part) ? Files.size(part) : 0;
        if (have > size) {
            Files.delete(part);
            have = 0;
        }
        long need = (size - have) + size + settings.spaceMargin(); // the rest of the file, its extraction, a margin
        long usable = disk.usableSpace(part.getParent());
        if (usable < need) {
            throw new OtaException("not enough free space to download " + Redact.url(url) + ": need " + need + " bytes, have " + usable);
        }
        if (have < size) {
            have = receive(url, size, part, have, progress, meter);
        }
        if (have < size) {
            throw new Transient("connection ended after " + have + " of " + size + " bytes");
        }
        String actual = hashFile(part);
        if (!actual.equals(sha256)) {
            // Probably bytes injected by a proxy or a server that changed the file: start over.
            Files.delete(part);
            throw new Transient("sha256 mismatch (offer " + Hex.shortHash(sha256) + ", downloaded " + Hex.shortHash(actual) + ")");
        }
    }

    /** One HTTP exchange; returns the bytes now in the .part file. */
    private long receive(URI offered, long size, Path part, long have, Progress progress, Meter meter)
            throws IOException, Transient {
        HttpResponse<InputStream> resp = null;
        URI url = offered;
        for (int hop = 0; ; hop++) {
            HttpRequest.Builder req = HttpRequest.newBuilder(url).timeout(settings.responseTimeout()).GET();
            if (have > 0) {
                req.header("Range", "bytes=" + have + "-");
            }
            try {
                resp = http.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new OtaException("download of " + Redact.url(offered) + " interrupted");
            }
            int status = resp.statusCode();
            if (status != 301 && status != 302 && status != 303 && status != 307 && status != 308) {
                break;
            }
            resp.body().close();
            String location = resp.headers().firstValue("Location").orElse(null);
            if (location == null || hop >= MAX_REDIRECTS) {
                throw new OtaException("download of " + Redact.url(offered) + " refused: HTTP " + status
                        + (location == null ? " without a Location" : " after " + MAX_REDIRECTS + " redirects"));
            }
            URI next;
            try {
                next = url.resolve(location);
            } catch (IllegalArgumentException e) {
                throw new OtaException("download of " + Redact.url(offered) + " refused: redirect to an invalid URL");
            }
            String host = next.getHost() == null ? "" : next.getHost().toLowerCase(Locale.ROOT);
            boolean sameHost = host.equalsIgnoreCase(offered.getHost());
            if (!(next.getScheme() != null && (next.getScheme().equals("https") || next.getScheme().equals("http")))
                    || !(sameHost || allowedHosts.contains(host))) {
                throw new OtaException("download of " + Redact.url(offered) + " refused: redirect to " + Redact.url(next)
                        + ", a host that is not allowed");
            }
            url = next;
        }
        try (InputStream body = resp.body()) {
            int status = resp.statusCode();
            long start;
            if (status == 206) {
                Matcher m = CONTENT_RANGE.matcher(resp.headers().firstValue("Content-Range").orElse(""));
                if (!m.matches() || Long.parseLong(m.group(1)) != have
                        || (!m.group(3).equals("*") && Long.parseLong(m.group(3)) != size)) {
                    Files.deleteIfExists(part);
                    throw new Transient("server answered Range with a mismatching Content-Range '"
                            + resp.headers().firstValue("Content-Range").orElse("") + "'; restarting from zero");
                }
                start = have;
            } else if (status == 200) {
                if (have > 0) {
                    Logger.info("OTA: server ignored Range for {}; restarting from zero", Redact.url(offered));
                }
                start = 0;
            } else if (status == 416) {
                Files.deleteIfExists(part);
                throw new Transient("server refused the range (416); restarting from zero");
            } else if (status >= 400 && status < 500 && status != 408 && status != 429) {
                throw new OtaException("download of " + Redact.url(offered) + " refused: HTTP " + status);
            } else {
                throw new Transient("HTTP " + status);
            }
            long budget = size + settings.maxExtraBytes();
            if (meter.received + (size - start) > budget) {
                throw new OtaException("download of " + Redact.url(offered) + " stopped: " + meter.received
                        + " bytes received so far, another " + (size - start) + " would exceed the budget of " + budget
                        + " (size plus maxExtraBytes " + settings.maxExtraBytes() + ")");
            }
            return copy(body, part, start, size, progress, meter);
        }
    }

    private long copy(InputStream body, Path part, long start, long size, Progress progress, Meter meter)
            throws IOException, Transient {
        long have = start;
        boolean halfMarked = start >= size / 2;
        try (FileChannel out = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            out.truncate(start);
            out.position(start);
            byte[] buf = new byte[64 * 1024];
            try {
                for (int n; (n = body.read(buf)) > 0; ) {
                    meter.received += n;
                    if (have + n > size) {
                        out.truncate(0);
                        throw new Transient("server sent more than the offered " + size + " bytes");
                    }
                    disk.beforeWrite(part, n);
                    ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                    while (bb.hasRemaining()) {
                        out.write(bb);
                    }
                    have += n;
                    progress.bytes(have, size);
                    if (!halfMarked && have >= size / 2) {
                        halfMarked = true;
                        out.force(false);
                        Faults.point("download:half");
                    }
                }
            } finally {
                // Keep what arrived: it is what the next attempt resumes from.
                out.force(false);
            }
        }
        return have;
    }

    private Duration backoff(int attempt) {
        long base = settings.firstBackoff().toMillis() << Math.min(attempt - 1, 20);
        long capped = Math.min(base, settings.maxBackoff().toMillis());
        // Jitter spreads a fleet's retries after a shared outage.
        return Duration.ofMillis(capped / 2 + ThreadLocalRandom.current().nextLong(capped / 2 + 1));
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OtaException("download interrupted");
        }
    }

    private static String hashFile(Path file) throws IOException {
        MessageDigest md = Hex.sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return Hex.of(md.digest());
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // Cleaned at the next start.
        }
    }
}
