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
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.streetgate.ota.OtaException;
import org.streetgate.ota.slots.Disk;
import org.streetgate.ota.util.Durable;
import org.streetgate.ota.util.Faults;
import org.streetgate.ota.util.Hex;
import org.tinylog.Logger;

/**
 * Downloads a bundle to downloads/SHA.part and renames it to SHA.sgb once the whole file hashes to
 * the offered sha256. Resumes with {@code Range} only when the server answers 206 with a matching
 * {@code Content-Range}; anything else restarts from zero. Retries are bounded with capped exponential
 * backoff and jitter; a 4xx is final (retrying a 404 forever helps no one), and so is a full disk.
 */
public final class Downloader implements AutoCloseable {
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-(\\d+)/(\\d+|\\*)");

    /** Retry and space policy. {@code spaceMargin} is kept free beyond the download and its extraction. */
    public record Settings(int maxAttempts, Duration firstBackoff, Duration maxBackoff, long spaceMargin,
                           Duration responseTimeout) {
        public Settings {
            if (maxAttempts < 1) {
                throw new IllegalArgumentException("maxAttempts must be >= 1");
            }
        }

        public static Settings defaults() {
            return new Settings(6, Duration.ofSeconds(2), Duration.ofMinutes(2), 16L << 20, Duration.ofSeconds(60));
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

    public Downloader(HttpClient http, Disk disk, Settings settings) {
        this.http = http;
        this.disk = disk;
        this.settings = settings;
    }

    /** Abort any download in progress and release the client's threads. */
    @Override
    public void close() {
        http.shutdownNow();
    }

    public static HttpClient defaultClient() {
        return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(15))
                .followRedirects(HttpClient.Redirect.NORMAL).build();
    }

    /** A failure worth another attempt (network, 5xx, bad bytes from a proxy). */
    private static final class Transient extends Exception {
        Transient(String message) {
            super(message);
        }
    }

    public Path fetch(URI url, String sha256, long size, Path dir, Progress progress) {
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
        String last = "no attempt made";
        for (int attempt = 1; attempt <= settings.maxAttempts(); attempt++) {
            try {
                attemptOnce(url, sha256, size, part, progress);
                Files.move(part, done, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                Durable.fsyncDir(dir);
                return done;
            } catch (Transient e) {
                last = e.getMessage();
            } catch (IOException e) {
                if (Disk.isNoSpace(e)) {
                    deleteQuietly(part); // a stale partial file on a full disk makes every retry fail
                    throw new OtaException("disk full while downloading " + url + ": " + e.getMessage(), e);
                }
                last = e.getClass().getSimpleName() + ": " + e.getMessage();
            }
            Logger.warn("OTA download attempt {}/{} of {} failed: {}", attempt, settings.maxAttempts(), url, last);
            if (attempt < settings.maxAttempts()) {
                sleep(backoff(attempt));
            }
        }
        throw new OtaException("download of " + url + " failed after " + settings.maxAttempts() + " attempts: " + last);
    }

    private void attemptOnce(URI url, String sha256, long size, Path part, Progress progress) throws IOException, Transient {
        long have = Files.exists(part) ? Files.size(part) : 0;
        if (have > size) {
            Files.delete(part);
            have = 0;
        }
        long need = (size - have) + size + settings.spaceMargin(); // the rest of the file, its extraction, a margin
        long usable = disk.usableSpace(part.getParent());
        if (usable < need) {
            throw new OtaException("not enough free space to download " + url + ": need " + need + " bytes, have " + usable);
        }
        if (have < size) {
            have = receive(url, size, part, have, progress);
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
    private long receive(URI url, long size, Path part, long have, Progress progress) throws IOException, Transient {
        HttpRequest.Builder req = HttpRequest.newBuilder(url).timeout(settings.responseTimeout()).GET();
        if (have > 0) {
            req.header("Range", "bytes=" + have + "-");
        }
        HttpResponse<InputStream> resp;
        try {
            resp = http.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OtaException("download of " + url + " interrupted");
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
                    Logger.info("OTA: server ignored Range for {}; restarting from zero", url);
                }
                start = 0;
            } else if (status == 416) {
                Files.deleteIfExists(part);
                throw new Transient("server refused the range (416); restarting from zero");
            } else if (status >= 400 && status < 500 && status != 408 && status != 429) {
                throw new OtaException("download of " + url + " refused: HTTP " + status);
            } else {
                throw new Transient("HTTP " + status);
            }
            return copy(body, part, start, size, progress);
        }
    }

    private long copy(InputStream body, Path part, long start, long size, Progress progress) throws IOException, Transient {
        long have = start;
        boolean halfMarked = start >= size / 2;
        try (FileChannel out = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            out.truncate(start);
            out.position(start);
            byte[] buf = new byte[64 * 1024];
            try {
                for (int n; (n = body.read(buf)) > 0; ) {
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
