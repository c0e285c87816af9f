package org.streetgate.ota;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streetgate.ota.download.Downloader;
import org.streetgate.ota.slots.Disk;
import org.streetgate.ota.slots.OtaState.Phase;
import org.streetgate.ota.util.Hex;

class DownloaderIT {
    @TempDir
    Path tmp;

    static final Downloader.Settings FAST = new Downloader.Settings(4, Duration.ofMillis(10), Duration.ofMillis(40), 0,
            Duration.ofSeconds(10));

    static byte[] content(int size) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (i * 7 + i / 251);
        }
        return b;
    }

    private Path fetch(BundleServer server, Disk disk, Downloader.Settings settings) {
        return new Downloader(Downloader.defaultClient(), disk, settings).fetch(server.url(), Hex.sha256(server.content),
                server.content.length, tmp.resolve("downloads"), (have, total) -> { });
    }

    @Test
    void cut_download_resumes_with_range_where_it_stopped() throws IOException {
        byte[] data = content(300_000);
        try (BundleServer server = new BundleServer(data, true).cutAfter(120_000)) {
            Path done = fetch(server, Disk.REAL, FAST);
            assertArrayEquals(data, Files.readAllBytes(done));
            assertEquals(2, server.requests());
            assertEquals("-", server.rangeHeaders.get(0));
            assertTrue(server.rangeHeaders.get(1).startsWith("bytes="), server.rangeHeaders.toString());
            long resumedFrom = Long.parseLong(server.rangeHeaders.get(1).replaceAll("\\D", ""));
            assertTrue(resumedFrom > 0 && resumedFrom <= 120_000, "resumed from " + resumedFrom);
            assertFalse(Files.exists(tmp.resolve("downloads").resolve(Hex.sha256(data) + ".part")));
        }
    }

    @Test
    void server_ignoring_range_restarts_from_zero_and_still_gets_the_right_file() throws IOException {
        byte[] data = content(300_000);
        try (BundleServer server = new BundleServer(data, false).cutAfter(150_000)) {
            Path done = fetch(server, Disk.REAL, FAST);
            assertArrayEquals(data, Files.readAllBytes(done), "no bytes appended twice");
            assertEquals(2, server.requests());
            assertTrue(server.rangeHeaders.get(1).startsWith("bytes="), "it asked for a range, got 200 and started over");
        }
    }

    @Test
    void partial_answer_for_the_wrong_range_is_not_appended_and_the_download_restarts() throws IOException {
        byte[] data = content(200_000);
        try (BundleServer server = new BundleServer(data, true).cutAfter(50_000)) {
            server.rangeSkew = 1000;
            Path done = fetch(server, Disk.REAL, FAST);
            assertArrayEquals(data, Files.readAllBytes(done));
            assertEquals(List.of("-", server.rangeHeaders.get(1), "-"), server.rangeHeaders,
                    "cut, resumed with a mismatching Content-Range, restarted from zero");
        }
    }

    @Test
    void transient_server_errors_are_retried_with_backoff() throws IOException {
        byte[] data = content(10_000);
        try (BundleServer server = new BundleServer(data, true).answer(503).answer(502)) {
            assertArrayEquals(data, Files.readAllBytes(fetch(server, Disk.REAL, FAST)));
            assertEquals(3, server.requests());
        }
    }

    @Test
    void retries_are_bounded() throws IOException {
        try (BundleServer server = new BundleServer(content(1000), true)) {
            for (int i = 0; i < 10; i++) {
                server.answer(503);
            }
            OtaException e = assertThrows(OtaException.class, () -> fetch(server, Disk.REAL, FAST));
            assertTrue(e.getMessage().contains("failed after 4 attempts: HTTP 503"), e.getMessage());
            assertEquals(4, server.requests());
        }
    }

    @Test
    void not_found_is_final_and_not_retried() throws IOException {
        try (BundleServer server = new BundleServer(content(1000), true).answer(404)) {
            OtaException e = assertThrows(OtaException.class, () -> fetch(server, Disk.REAL, FAST));
            assertTrue(e.getMessage().endsWith("refused: HTTP 404"), e.getMessage());
            assertEquals(1, server.requests());
        }
    }

    @Test
    void content_not_matching_the_offered_hash_is_discarded_and_fetched_again() throws IOException {
        byte[] data = content(5000);
        try (BundleServer server = new BundleServer(data, true)) {
            Downloader d = new Downloader(Downloader.defaultClient(), Disk.REAL, FAST);
            String wrongSha = Hex.sha256("something else".getBytes());
            OtaException e = assertThrows(OtaException.class,
                    () -> d.fetch(server.url(), wrongSha, data.length, tmp.resolve("downloads"), (h, t) -> { }));
            assertTrue(e.getMessage().contains("sha256 mismatch"), e.getMessage());
            assertEquals(4, server.requests(), "each attempt started from zero, never resumed a bad file");
            assertTrue(server.rangeHeaders.stream().allMatch("-"::equals), server.rangeHeaders.toString());
        }
    }

    @Test
    void free_space_is_checked_before_the_first_byte() throws IOException {
        try (BundleServer server = new BundleServer(content(5000), true)) {
            Disk small = new Disk() {
                @Override
                public long usableSpace(Path dir) {
                    return 6000; // enough for the file, not for the file and its extraction
                }

                @Override
                public void beforeWrite(Path file, long bytes) {
                }
            };
            OtaException e = assertThrows(OtaException.class, () -> fetch(server, small, FAST));
            assertTrue(e.getMessage().startsWith("not enough free space to download"), e.getMessage());
            assertEquals(0, server.requests());
        }
    }

    @Test
    void disk_full_during_download_removes_the_partial_file_and_stops() throws IOException {
        byte[] data = content(200_000);
        AtomicLong budget = new AtomicLong(100_000);
        Disk filling = new Disk() {
            @Override
            public long usableSpace(Path dir) {
                return Long.MAX_VALUE;
            }

            @Override
            public void beforeWrite(Path file, long bytes) throws IOException {
                if (budget.addAndGet(-bytes) < 0) {
                    throw new IOException("No space left on device");
                }
            }
        };
        try (BundleServer server = new BundleServer(data, true)) {
            OtaException e = assertThrows(OtaException.class, () -> fetch(server, filling, FAST));
            assertTrue(e.getMessage().startsWith("disk full while downloading"), e.getMessage());
            assertEquals(1, server.requests(), "a full disk is not retried");
            try (var files = Files.list(tmp.resolve("downloads"))) {
                assertEquals(List.of(), files.toList(), "no stale .part left to break the next attempt");
            }
        }
    }

    @Test
    void offer_downloads_installs_and_reports_progress() throws Exception {
        Fixture f = new Fixture(tmp).provision();
        byte[] bundle = Files.readAllBytes(f.bundle("1.1.0", 11, "healthy"));
        f.options = f.options.withDownload(FAST);
        try (BundleServer server = new BundleServer(bundle, true).cutAfter(bundle.length / 3);
             UpdateAgent a = f.agent()) {
            a.start();
            Offer offer = new Offer(server.url(), Hex.sha256(bundle), bundle.length, "1.1.0");
            var first = a.offer(offer);
            assertSame(first, a.offer(offer), "a repeated offer joins the one in progress");
            UpdateAgent.StagedRelease r = first.get(10, TimeUnit.SECONDS);
            assertEquals("1.1.0", r.version());
            assertEquals(2, server.requests());
        }
        List<OtaEvent.Progress> progress = f.events(OtaEvent.Progress.class);
        assertEquals(new OtaEvent.Progress(Phase.DOWNLOADING, 0, "1.1.0"), progress.get(0));
        assertTrue(progress.contains(new OtaEvent.Progress(Phase.DOWNLOADING, 100, "1.1.0")), progress.toString());
        assertEquals(new OtaEvent.Progress(Phase.TRIAL, 100, "1.1.0"), progress.get(progress.size() - 1));
        List<Integer> pcts = progress.stream().filter(p -> p.state() == Phase.DOWNLOADING).map(OtaEvent.Progress::percent).toList();
        assertEquals(pcts.stream().sorted().toList(), pcts, "percent never goes backwards");
        assertEquals(Phase.TRIAL, f.state().phase());
        try (var files = Files.list(f.installRoot().downloads())) {
            assertEquals(List.of(), files.toList(), "downloaded bundle removed once installed");
        }
    }

    @Test
    void offer_of_a_bad_bundle_is_reported_as_refused_and_leaves_state_as_it_was() throws Exception {
        Fixture f = new Fixture(tmp).provision();
        byte[] bundle = Files.readAllBytes(TestBundles.bundle(f.work, TestBundles.newKey(), "1.1.0", 11, "healthy"));
        f.options = f.options.withDownload(FAST);
        try (BundleServer server = new BundleServer(bundle, true); UpdateAgent a = f.agent()) {
            var future = a.offer(new Offer(server.url(), Hex.sha256(bundle), bundle.length, "1.1.0"));
            ExecutionException e = assertThrows(ExecutionException.class, () -> future.get(10, TimeUnit.SECONDS));
            assertEquals(BundleException.Reason.UNKNOWN_KEY, ((BundleException) e.getCause()).reason());
        }
        OtaEvent.Failed failed = f.events(OtaEvent.Failed.class).get(0);
        assertTrue(failed.refused());
        assertEquals(Phase.COMMITTED, f.state().phase());
        assertEquals("1.0.0", f.currentVersion());
    }

    @Test
    void stale_partial_downloads_are_removed_at_start() throws IOException {
        Fixture f = new Fixture(tmp).provision();
        Path stale = f.installRoot().downloads().resolve("a".repeat(64) + ".part");
        Files.write(stale, new byte[1234]);
        try (UpdateAgent a = f.agent()) {
            a.start();
        }
        assertFalse(Files.exists(stale));
    }

    @Test
    void malformed_offer_is_rejected_naming_the_field() {
        BundleException e = assertThrows(BundleException.class, () -> Offer.fromArgs(java.util.Map.of(
                "url", "ftp://x/y.sgb", "sha256", "a".repeat(64), "size", 10, "version", "1")));
        assertEquals(BundleException.Reason.BAD_OFFER, e.reason());
        assertTrue(e.getMessage().startsWith("offer: url must be"), e.getMessage());
        assertThrows(BundleException.class, () -> Offer.fromArgs(java.util.Map.of(
                "url", "http://x/y.sgb", "sha256", "abc", "size", 10, "version", "1")));
    }

    @Test
    void bundle_refused_after_a_resumed_download_is_reported_and_never_downloaded_again() throws Exception {
        Fixture f = new Fixture(tmp).provision();
        byte[] bundle = Files.readAllBytes(TestBundles.bundle(f.work, TestBundles.newKey(), "1.1.0", 11, "healthy"));
        f.options = f.options.withDownload(FAST);
        try (BundleServer server = new BundleServer(bundle, true)) {
            Offer offer = new Offer(server.url(), Hex.sha256(bundle), bundle.length, "1.1.0");
            // As after a crash mid-download: the journal says DOWNLOADING, so start() resumes the offer.
            f.installRoot().journal().save(f.state().withPhase(Phase.DOWNLOADING).withOffer(offer));
            try (UpdateAgent a = f.agent()) {
                a.start();
                f.awaitEvents(OtaEvent.Failed.class, 1, Duration.ofSeconds(10));
            }
            OtaEvent.Failed failed = f.events(OtaEvent.Failed.class).get(0);
            assertTrue(failed.refused());
            assertTrue(failed.reason().contains("signed only by unknown key"), failed.reason());
            assertEquals(1, server.requests());
            assertFalse(f.state().phase() == Phase.DOWNLOADING, "the refused offer is not left to resume: " + f.state());

            try (UpdateAgent a = f.agent()) {
                a.start(); // the next start: nothing to resume
                BundleException again = assertThrows(BundleException.class, () -> a.offer(offer));
                assertEquals(BundleException.Reason.REFUSED_BEFORE, again.reason());
                assertTrue(again.getMessage().contains("was refused before"), again.getMessage());
            }
            assertEquals(1, server.requests(), "downloaded once, never again");
            assertEquals(1, f.events(OtaEvent.Failed.class).size());
        }
    }

    @Test
    void offer_naming_a_host_the_profile_does_not_allow_is_refused() throws Exception {
        Fixture f = new Fixture(tmp).provision();
        try (UpdateAgent a = f.agent()) {
            BundleException e = assertThrows(BundleException.class, () -> a.offer(new Offer(
                    java.net.URI.create("https://updates.attacker.example/b.sgb"), "a".repeat(64), 10, "1.1.0")));
            assertEquals(BundleException.Reason.BAD_OFFER, e.reason());
            assertEquals("offer: host 'updates.attacker.example' is not allowed; the profile's ota.allowed-hosts lists [127.0.0.1]",
                    e.getMessage());
        }
        f.options = f.options.withAllowedHosts(List.of());
        try (UpdateAgent a = f.agent()) {
            assertEquals(BundleException.Reason.BAD_OFFER, assertThrows(BundleException.class, () -> a.offer(new Offer(
                    java.net.URI.create("http://127.0.0.1:9/b.sgb"), "a".repeat(64), 10, "1.1.0"))).reason(),
                    "no allowed hosts: every offer is refused");
        }
        assertEquals(Phase.COMMITTED, f.state().phase());
    }

    @Test
    void redirect_to_a_host_that_is_not_allowed_is_not_followed() throws Exception {
        byte[] data = content(10_000);
        try (BundleServer target = new BundleServer(data, true); BundleServer redirector = new BundleServer(data, true)) {
            // localhost is the same machine, but not the host the allow-list names.
            redirector.redirectTo = java.net.URI.create("http://localhost:" + target.url().getPort() + "/bundle.sgb");
            OtaException e = assertThrows(OtaException.class, () -> new Downloader(Downloader.defaultClient(), Disk.REAL, FAST,
                    List.of("127.0.0.1")).fetch(redirector.url(), Hex.sha256(data), data.length, tmp.resolve("downloads"), (h, t) -> { }));
            assertTrue(e.getMessage().contains("refused: redirect to http://localhost:" + target.url().getPort()
                    + "/bundle.sgb, a host that is not allowed"), e.getMessage());
            assertEquals(0, target.requests());
            assertEquals(1, redirector.requests(), "a refused redirect is final, not retried");

            redirector.redirectTo = target.url(); // same host: followed
            Path done = fetch(redirector, Disk.REAL, FAST);
            assertArrayEquals(data, Files.readAllBytes(done));
        }
    }

    @Test
    void retries_stop_when_they_would_exceed_the_byte_budget() throws IOException {
        byte[] data = content(300_000);
        Downloader.Settings metered = FAST.withMaxExtraBytes(200_000);
        try (BundleServer server = new BundleServer(data, false).cutAfter(150_000).cutAfter(150_000).cutAfter(150_000)) {
            OtaException e = assertThrows(OtaException.class, () -> fetch(server, Disk.REAL, metered));
            assertTrue(e.getMessage().contains("stopped: 300000 bytes received so far, another 300000 would exceed the budget of 500000"),
                    e.getMessage());
            assertEquals(3, server.requests(), "two cut attempts, the third stopped before its body");
        }
    }

    @Test
    void credentials_in_an_offer_url_never_reach_a_log_or_an_event() throws Exception {
        Fixture f = new Fixture(tmp).provision();
        f.options = f.options.withDownload(FAST);
        byte[] data = content(1000);
        try (BundleServer server = new BundleServer(data, true).answer(503).answer(503).answer(503).answer(404)) {
            java.net.URI secret = java.net.URI.create("http://tech:s3cretPass@127.0.0.1:" + server.url().getPort()
                    + "/bundle.sgb?X-Token=t0kenValue42&v=1");
            try (UpdateAgent a = f.agent()) {
                Offer offer = new Offer(secret, Hex.sha256(data), data.length, "1.1.0");
                assertFalse(offer.toString().contains("s3cretPass") || offer.toString().contains("t0kenValue42"), offer.toString());
                ExecutionException e = assertThrows(ExecutionException.class, () -> a.offer(offer).get(10, TimeUnit.SECONDS));
                assertTrue(e.getCause().getMessage().contains("http://***@127.0.0.1:" + server.url().getPort()
                        + "/bundle.sgb?X-Token=***&v=***"), e.getCause().getMessage());
            }
        }
        String failed = f.events(OtaEvent.Failed.class).get(0).reason();
        assertTrue(failed.contains("HTTP 404"), failed);
        List<String> logged = CapturingWriter.lines();
        assertTrue(logged.stream().anyMatch(l -> l.contains("download attempt 1/4 of http://***@127.0.0.1")), "the attempts are logged");
        for (String text : concat(logged, List.of(failed, f.state().toString()))) {
            assertFalse(text.contains("s3cretPass") || text.contains("t0kenValue42"), "credential leaked: " + text);
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new java.util.ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    @Test
    void interrupted_offer_from_a_host_no_longer_allowed_is_dropped_not_resumed_at_every_start() throws Exception {
        Fixture f = new Fixture(tmp).provision();
        Offer offer = new Offer(java.net.URI.create("http://old-cdn.example/b.sgb"), "b".repeat(64), 10, "1.1.0");
        f.installRoot().journal().save(f.state().withPhase(Phase.DOWNLOADING).withOffer(offer));
        try (UpdateAgent a = f.agent()) {
            a.start();
        }
        assertEquals(Phase.IDLE, f.state().phase());
        assertEquals(null, f.state().offer());
        assertTrue(f.state().reason().contains("host 'old-cdn.example' is not allowed"), f.state().reason());
        assertTrue(f.events(OtaEvent.Failed.class).get(0).refused());
    }
}
