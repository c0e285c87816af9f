package org.streetgate.ota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streetgate.ota.push.PushEndpoint;
import org.streetgate.ota.slots.Disk;
import org.streetgate.ota.slots.OtaState.Phase;

class PushEndpointIT {
    static final String TOKEN = "tech-7f3a9c2e41d8b605";

    @TempDir
    Path tmp;
    Fixture f;

    @BeforeEach
    void provision() throws IOException {
        f = new Fixture(tmp).provision();
    }

    private static InetSocketAddress loopback() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    }

    private record Cli(int rc, String out, String err) {
    }

    private static Cli cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = OtaCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Cli(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void push_with_the_technician_token_installs_the_bundle() throws IOException {
        Path bundle = f.bundle("1.1.0", 11, "healthy");
        try (UpdateAgent a = f.agent(); PushEndpoint ep = a.startPushEndpoint(loopback(), TOKEN)) {
            Cli r = cli("push", bundle.toString(), "--to", "127.0.0.1:" + ep.address().getPort(), "--token", TOKEN);
            assertEquals(0, r.rc(), r.err());
            assertTrue(r.out().startsWith("staged 1.1.0 (release counter 11)"), r.out());
        }
        assertEquals(Phase.TRIAL, f.state().phase());
        assertEquals("1.1.0", f.currentVersion());
        try (var files = Files.list(f.installRoot().downloads())) {
            assertEquals(0, files.count(), "the received file is removed");
        }
    }

    @Test
    void push_without_or_with_a_wrong_token_is_refused_and_installs_nothing() throws Exception {
        Path bundle = f.bundle("1.1.0", 11, "healthy");
        try (UpdateAgent a = f.agent(); PushEndpoint ep = a.startPushEndpoint(loopback(), TOKEN)) {
            URI uri = URI.create("http://127.0.0.1:" + ep.address().getPort() + PushEndpoint.PATH);
            HttpResponse<String> none = HttpClient.newHttpClient().send(HttpRequest.newBuilder(uri)
                    .PUT(HttpRequest.BodyPublishers.ofFile(bundle)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(401, none.statusCode());
            Cli wrong = cli("push", bundle.toString(), "--to", "127.0.0.1:" + ep.address().getPort(), "--token", TOKEN + "x");
            assertEquals(1, wrong.rc());
            assertTrue(wrong.err().contains("401"), wrong.err());
        }
        assertEquals(Phase.COMMITTED, f.state().phase());
        assertEquals("1.0.0", f.currentVersion());
    }

    @Test
    void pushed_bundle_that_fails_verification_gets_422_with_the_reason() throws IOException {
        Path bundle = f.bundle("0.5.0", 5, "healthy");
        try (UpdateAgent a = f.agent(); PushEndpoint ep = a.startPushEndpoint(loopback(), TOKEN)) {
            Cli r = cli("push", bundle.toString(), "--to", "127.0.0.1:" + ep.address().getPort(), "--token", TOKEN);
            assertEquals(1, r.rc());
            assertTrue(r.err().contains("422") && r.err().contains("downgrades are refused"), r.err());
        }
    }

    @Test
    void push_endpoint_refuses_to_start_without_a_token() {
        try (UpdateAgent a = f.agent()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.startPushEndpoint(loopback(), ""));
            assertTrue(e.getMessage().contains("technician token"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> a.startPushEndpoint(loopback(), null));
        }
    }

    @Test
    void push_to_a_gateway_that_is_not_listening_is_a_runtime_failure() throws IOException {
        int port;
        try (var s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Cli r = cli("push", f.bundle("1.1.0", 11, "healthy").toString(), "--to", "127.0.0.1:" + port, "--token", TOKEN);
        assertEquals(2, r.rc());
        assertTrue(r.err().startsWith("ota push: cannot reach the gateway"), r.err());
    }

    @Test
    void default_push_endpoint_binds_to_loopback_only() {
        try (UpdateAgent a = f.agent(); PushEndpoint ep = a.startPushEndpoint(TOKEN)) {
            assertTrue(ep.address().getAddress().isLoopbackAddress(), ep.address().toString());
            assertEquals(UpdateAgent.DEFAULT_PUSH_PORT, ep.address().getPort());
        }
    }

    // -- bounded inputs -----------------------------------------------------------------------------

    private static String readAll(Socket s) throws IOException {
        s.setSoTimeout(10_000); // only a bound for a broken endpoint: a healthy one answers or closes well before
        return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    }

    /** One raw request over a fresh socket; the whole answer (the endpoint always closes). */
    private static String raw(int port, String request) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            return readAll(s);
        }
    }

    private static Socket stalled(int port) throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        s.getOutputStream().write("PUT /ota/bundle HTTP/1.1\r\nHost: 127.0.0.1\r\n".getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        return s;
    }

    private HttpResponse<String> put(int port, String token, byte[] body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + PushEndpoint.PATH))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void stalled_connection_is_closed_after_the_read_timeout_and_does_not_block_a_good_client() throws Exception {
        f.options = f.options.withPush(PushEndpoint.Limits.defaults()
                .withTimeouts(Duration.ofMillis(400), Duration.ofSeconds(30), Duration.ofSeconds(30)));
        Path bundle = f.bundle("1.1.0", 11, "healthy");
        try (UpdateAgent a = f.agent(); PushEndpoint ep = a.startPushEndpoint(loopback(), TOKEN);
             Socket staller = stalled(ep.address().getPort())) {
            Cli r = cli("push", bundle.toString(), "--to", "127.0.0.1:" + ep.address().getPort(), "--token", TOKEN);
            assertEquals(0, r.rc(), r.err()); // served while the staller holds its connection
            String answer = readAll(staller); // returns once the endpoint closed it
            assertTrue(answer.startsWith("HTTP/1.1 408 "), answer);
        }
        assertEquals(Phase.TRIAL, f.state().phase());
    }

    @Test
    void client_trickling_its_headers_is_cut_at_the_header_deadline() throws Exception {
        f.options = f.options.withPush(PushEndpoint.Limits.defaults()
                .withTimeouts(Duration.ofSeconds(5), Duration.ofMillis(600), Duration.ofSeconds(30)));
        ScheduledExecutorService trickle = Executors.newSingleThreadScheduledExecutor();
        try (UpdateAgent a = f.agent(); PushEndpoint ep = a.startPushEndpoint(loopback(), TOKEN);
             Socket slow = stalled(ep.address().getPort())) {
            // One header line every 100 ms: never silent long enough for the read timeout.
            trickle.scheduleAtFixedRate(() -> {
                try {
                    slow.getOutputStream().write("X-Pad: a\r\n".getBytes(StandardCharsets.US_ASCII));
                } catch (IOException closed) {
                    // the endpoint hung up: what this test waits for
                }
            }, 0, 100, TimeUnit.MILLISECONDS);
            assertEquals("", readAll(slow), "closed without an answer");
        } finally {
            trickle.shutdownNow();
        }
    }

    @Test
    void connections_beyond_the_limit_get_503_and_the_slots_free_up_after_the_timeout() throws Exception {
        f.options = f.options.withPush(PushEndpoint.Limits.defaults().withMaxConnections(2)
                .withTimeouts(Duration.ofMillis(500), Duration.ofSeconds(30), Duration.ofSeconds(30)));
        Path bundle = f.bundle("1.1.0", 11, "healthy");
        try (UpdateAgent a = f.agent(); PushEndpoint ep = a.startPushEndpoint(loopback(), TOKEN)) {
            int port = ep.address().getPort();
            try (Socket one = stalled(port); Socket two = stalled(port)) {
                String third = raw(port, "GET /ota/bundle HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
                assertTrue(third.startsWith("HTTP/1.1 503 ") && third.contains("too many connections"), third);
                assertTrue(readAll(one).startsWith("HTTP/1.1 408 "));
                assertTrue(readAll(two).startsWith("HTTP/1.1 408 "));
            }
            Cli r = cli("push", bundle.toString(), "--to", "127.0.0.1:" + port, "--token", TOKEN);
            assertEquals(0, r.rc(), r.err());
        }
    }

    @Test
    void oversized_headers_get_431() throws Exception {
        try (UpdateAgent a = f.agent(); PushEndpoint ep = a.startPushEndpoint(loopback(), TOKEN)) {
            String answer = raw(ep.address().getPort(), "PUT /ota/bundle HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: "
                    + "a".repeat(9000) + "\r\n\r\n");
            assertTrue(answer.startsWith("HTTP/1.1 431 "), answer);
        }
    }

    @Test
    void foreign_host_and_cross_origin_requests_are_refused_before_the_token_is_looked_at() throws Exception {
        try (UpdateAgent a = f.agent(); PushEndpoint ep = a.startPushEndpoint(loopback(), TOKEN)) {
            int port = ep.address().getPort();
            String rebound = raw(port, "PUT /ota/bundle HTTP/1.1\r\nHost: kiosk-update.attacker.example:" + port
                    + "\r\nAuthorization: Bearer " + TOKEN + "\r\nContent-Length: 0\r\n\r\n");
            assertTrue(rebound.startsWith("HTTP/1.1 403 ") && rebound.contains("Host 'kiosk-update.attacker.example:" + port
                    + "' is not this endpoint"), rebound);
            String crossOrigin = raw(port, "PUT /ota/bundle HTTP/1.1\r\nHost: 127.0.0.1:" + port
                    + "\r\nOrigin: http://attacker.example\r\nAuthorization: Bearer " + TOKEN + "\r\nContent-Length: 0\r\n\r\n");
            assertTrue(crossOrigin.startsWith("HTTP/1.1 403 ") && crossOrigin.contains("cross-origin"), crossOrigin);
            String localhost = raw(port, "PUT /ota/bundle HTTP/1.1\r\nHost: localhost:" + port
                    + "\r\nAuthorization: Bearer " + TOKEN + "\r\nContent-Length: 0\r\n\r\n");
            assertTrue(localhost.startsWith("HTTP/1.1 422 "), "localhost is this endpoint; an empty bundle is refused: " + localhost);
        }
        assertEquals(Phase.COMMITTED, f.state().phase());
    }

    @Test
    void binding_an_address_other_than_loopback_needs_the_explicit_setting() {
        try (UpdateAgent a = f.agent()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> a.startPushEndpoint(new InetSocketAddress("0.0.0.0", 0), TOKEN));
            assertTrue(e.getMessage().contains("needs the explicit setting ota.push.allow-remote"), e.getMessage());
        }
    }

    @Test
    void wrong_tokens_lock_the_endpoint_for_a_doubling_time() throws Exception {
        AtomicLong clock = new AtomicLong();
        f.options = f.options.withPush(PushEndpoint.Limits.defaults().withClock(clock::get));
        byte[] downgrade = Files.readAllBytes(f.bundle("0.5.0", 5, "healthy")); // accepted token, refused bundle: 422
        try (UpdateAgent a = f.agent(); PushEndpoint ep = a.startPushEndpoint(loopback(), TOKEN)) {
            int port = ep.address().getPort();
            for (int i = 0; i < 5; i++) {
                assertEquals(401, put(port, TOKEN.replace('7', '8') + i, downgrade).statusCode());
            }
            HttpResponse<String> locked = put(port, TOKEN, downgrade);
            assertEquals(429, locked.statusCode(), "locked: even the right token waits");
            assertTrue(locked.body().contains("try again in 30 s"), locked.body());
            clock.addAndGet(Duration.ofSeconds(31).toNanos());
            for (int i = 0; i < 5; i++) {
                assertEquals(401, put(port, "wrong-token-000000" + i, downgrade).statusCode());
            }
            HttpResponse<String> longer = put(port, TOKEN, downgrade);
            assertEquals(429, longer.statusCode());
            assertTrue(longer.body().contains("try again in 60 s"), "the second lock-out doubles: " + longer.body());
            clock.addAndGet(Duration.ofSeconds(31).toNanos());
            assertEquals(429, put(port, TOKEN, downgrade).statusCode(), "still locked half way");
            clock.addAndGet(Duration.ofSeconds(30).toNanos());
            assertEquals(422, put(port, TOKEN, downgrade).statusCode(), "unlocked: the right token is checked again");
        }
    }

    @Test
    void upload_needing_more_space_than_is_free_gets_507_before_a_byte_is_read() throws Exception {
        f.options = f.options.withDisk(new Disk() {
            @Override
            public long usableSpace(Path dir) {
                return 100_000;
            }

            @Override
            public void beforeWrite(Path file, long bytes) {
                throw new AssertionError("nothing may be written");
            }
        });
        Path bundle = f.bundle("1.1.0", 11, "healthy");
        try (UpdateAgent a = f.agent(); PushEndpoint ep = a.startPushEndpoint(loopback(), TOKEN)) {
            Cli r = cli("push", bundle.toString(), "--to", "127.0.0.1:" + ep.address().getPort(), "--token", TOKEN);
            assertEquals(2, r.rc());
            assertTrue(r.err().contains("507") && r.err().contains("insufficient storage: a " + Files.size(bundle)
                    + " byte bundle needs"), r.err());
        }
        try (var files = Files.list(f.installRoot().downloads())) {
            assertEquals(0, files.count());
        }
        assertEquals(Phase.COMMITTED, f.state().phase());
    }

    @Test
    void upload_without_a_content_length_gets_411() throws Exception {
        try (UpdateAgent a = f.agent(); PushEndpoint ep = a.startPushEndpoint(loopback(), TOKEN)) {
            HttpResponse<String> r = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ep.address().getPort() + PushEndpoint.PATH))
                            .header("Authorization", "Bearer " + TOKEN)
                            .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(new byte[100])))
                            .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(411, r.statusCode(), r.body());
        }
    }
}
