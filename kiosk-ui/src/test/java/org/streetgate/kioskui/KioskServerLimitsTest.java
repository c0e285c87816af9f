package org.streetgate.kioskui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the screen's server takes from a client that misbehaves: stalled and dripping requests,
 * oversized headers and bodies, a foreign Host (DNS rebinding), a foreign Origin, a write that is
 * not JSON, and a bind beyond loopback. Raw sockets throughout, so nothing tidies the request up.
 */
class KioskServerLimitsTest {
    private static final Duration READ_TIMEOUT = Duration.ofMillis(600);
    private static final int MAX_CONNECTIONS = 8;
    private final FakeKioskPort port = new FakeKioskPort();
    private final List<Socket> sockets = new ArrayList<>();
    private KioskServer server;

    private KioskServer start() {
        server = KioskServer.start(port, new InetSocketAddress("127.0.0.1", 0), KioskServer.Options.defaults()
                .withLimits(new BoundedHttpServer.Limits(MAX_CONNECTIONS, KioskServer.MAX_TARGET_CHARS + 32, 8 * 1024,
                        64, KioskServer.MAX_BODY_BYTES, READ_TIMEOUT, Duration.ofSeconds(2))));
        return server;
    }

    @AfterEach
    void stop() throws IOException {
        for (Socket s : sockets) {
            s.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private String host() {
        return "127.0.0.1:" + server.port();
    }

    private RawHttp.Response request(String head, String body) throws IOException {
        return RawHttp.send(server.port(), head + "Connection: close\r\n\r\n" + body);
    }

    private RawHttp.Response goodGet(String path) throws IOException {
        return request("GET " + path + " HTTP/1.1\r\nHost: " + host() + "\r\n", "");
    }

    private RawHttp.Response post(String extraHeaders, String body) throws IOException {
        return request("POST /api/pickup HTTP/1.1\r\nHost: " + host() + "\r\n" + extraHeaders
                + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n", body);
    }

    private Socket stall(String partial) throws IOException {
        Socket s = new Socket("127.0.0.1", server.port());
        sockets.add(s);
        s.setSoTimeout(5000);
        s.getOutputStream().write(partial.getBytes(StandardCharsets.UTF_8));
        s.getOutputStream().flush();
        return s;
    }

    /** True once the server has hung up on {@code s}: end of stream or a reset, never our 5 s read timeout. */
    private static boolean hungUp(Socket s) throws IOException {
        try {
            while (s.getInputStream().read() >= 0) {
                // an error answer may come first; read to its end
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (SocketException e) {
            return true;
        }
    }

    private static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void stalled_requests_are_closed_and_a_good_client_is_still_served() throws Exception {
        start();
        List<String> partials = List.of("", "GET /api/sta", "GET / HTTP/1.1\r\nHost: " + host() + "\r\n",
                "POST /api/pickup HTTP/1.1\r\nHost: " + host() + "\r\nContent-Type: application/json\r\n"
                        + "Content-Length: 100\r\n\r\n{\"code\":");
        List<Socket> stalled = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            stalled.add(stall(partials.get(i % partials.size())));
        }
        // One that drips a byte every 100 ms: each read is quick, the request never ends.
        Socket drip = stall("G");
        Thread dripper = Thread.ofVirtual().start(() -> {
            try {
                OutputStream out = drip.getOutputStream();
                while (true) {
                    out.write('E');
                    out.flush();
                    Thread.sleep(100);
                }
            } catch (IOException | InterruptedException e) {
                // hung up on: what the test waits for
            }
        });
        assertTrue(server.openConnections() <= MAX_CONNECTIONS, "open: " + server.openConnections());

        RawHttp.Response good = goodGet("/api/status");
        assertEquals(200, good.status(), "a good client among 200 stalled ones");
        assertTrue(good.body().contains("\"platform_online\":true"), good.body());

        for (Socket s : stalled) {
            assertTrue(hungUp(s), "a stalled connection was left open");
        }
        assertTrue(hungUp(drip), "the dripping connection was left open");
        dripper.join(Duration.ofSeconds(5));
        assertTrue(!dripper.isAlive(), "the dripper's writes fail once the server hangs up");
        await(() -> server.openConnections() == 0, "connections still open: " + server.openConnections());
        assertTrue(server.timedOutConnections() >= 1, "the watchdog closed the last stalled ones");
        assertEquals(200, goodGet("/").status(), "and the server keeps serving");
    }

    @Test
    void oversized_headers_and_bodies_are_refused_before_they_are_read() throws Exception {
        start();
        String big = "X-Filler: " + "a".repeat(20_000) + "\r\n";
        assertEquals(431, request("GET / HTTP/1.1\r\nHost: " + host() + "\r\n" + big, "").status());
        assertEquals(431, request("GET / HTTP/1.1\r\nHost: " + host() + "\r\n" + "X-A: 1\r\n".repeat(70), "").status());
        RawHttp.Response huge = request("POST /api/pickup HTTP/1.1\r\nHost: " + host()
                + "\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n", "{\"code\":\"1");
        assertEquals(413, huge.status());
        assertEquals(411, request("POST /api/pickup HTTP/1.1\r\nHost: " + host()
                + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n", "5\r\n{\"a\":\r\n0\r\n\r\n").status());
        assertEquals(400, request("GET / HTTP/1.1\r\nHost: " + host() + "\r\nHost: evil.example\r\n", "").status());
        assertEquals(200, goodGet("/api/status").status());
    }

    @Test
    void a_host_other_than_the_bound_address_is_421() throws Exception {
        start();
        // A DNS-rebinding page reaches 127.0.0.1 under its own name; its browser says so in Host.
        assertEquals(421, request("GET /api/status HTTP/1.1\r\nHost: evil.example:" + server.port() + "\r\n", "").status());
        assertEquals(421, request("GET / HTTP/1.1\r\nHost: 127.0.0.1:1\r\n", "").status());
        assertEquals(421, request("POST /api/pickup HTTP/1.1\r\nHost: rebind.example\r\nContent-Type: application/json\r\n"
                + "Content-Length: 2\r\n", "{}").status());
        assertEquals(400, request("GET / HTTP/1.0\r\n", "").status(), "no Host at all");
        assertEquals(200, request("GET /api/status HTTP/1.1\r\nHost: localhost:" + server.port() + "\r\n", "").status());
        assertEquals(200, goodGet("/api/status").status());
    }

    @Test
    void a_write_from_another_origin_is_403_and_opens_nothing() throws Exception {
        start();
        port.codes.put("123456", 7);
        String body = "{\"door\":7,\"code\":\"123456\"}";
        for (String origin : List.of("http://evil.example", "null", "http://127.0.0.1:1", "https://" + host())) {
            RawHttp.Response r = post("Origin: " + origin + "\r\nContent-Type: application/json\r\n", body);
            assertEquals(403, r.status(), origin);
            assertEquals("{\"error\":\"wrong-origin\"}", r.body(), origin);
        }
        assertEquals(List.of(), port.opened);
        RawHttp.Response own = post("Origin: http://" + host() + "\r\nContent-Type: application/json\r\n", body);
        assertEquals(200, own.status(), own.body());
        assertEquals(List.of(7), port.opened);
    }

    @Test
    void a_write_that_is_not_json_is_415() throws Exception {
        start();
        port.codes.put("123456", 7);
        String body = "{\"door\":7,\"code\":\"123456\"}";
        // text/plain and form encodings are what a cross-site form may send without asking first.
        for (String type : List.of("Content-Type: text/plain\r\n", "Content-Type: application/x-www-form-urlencoded\r\n",
                "Content-Type: multipart/form-data; boundary=x\r\n", "")) {
            assertEquals(415, post(type, body).status(), type);
        }
        assertEquals(List.of(), port.opened);
        assertEquals(200, post("Content-Type: Application/JSON; charset=utf-8\r\n", body).status());
    }

    @Test
    void a_bind_beyond_loopback_needs_an_explicit_setting() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> KioskServer.start(port, new InetSocketAddress("0.0.0.0", 0)));
        assertTrue(e.getMessage().contains("allow-non-loopback"), e.getMessage());
        try (KioskServer open = KioskServer.start(port, new InetSocketAddress("0.0.0.0", 0),
                KioskServer.Options.defaults().withAllowNonLoopback(true))) {
            assertTrue(open.address().getAddress().isAnyLocalAddress());
            server = null;
            RawHttp.Response r = RawHttp.send(open.port(), "GET /api/status HTTP/1.1\r\nHost: 127.0.0.1:" + open.port()
                    + "\r\nConnection: close\r\n\r\n");
            assertEquals(200, r.status());
        } catch (IOException io) {
            throw new AssertionError(io);
        }
    }
}
