package org.streetgate.kioskui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The JSON API and static files, against a fake port, over real HTTP on a free loopback port. */
class KioskServerTest {
    private final FakeKioskPort port = new FakeKioskPort();
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private KioskServer server;

    @BeforeEach
    void start() {
        server = KioskServer.start(port, new InetSocketAddress("127.0.0.1", 0));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> post(String path, String body, String session) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(5))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body));
        if (session != null) {
            b.header(KioskServer.SESSION_HEADER, session);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path, String session) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(5)).GET();
        if (session != null) {
            b.header(KioskServer.SESSION_HEADER, session);
        }
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    @Test
    void server_listens_on_loopback_and_serves_the_screen() throws Exception {
        assertTrue(server.address().getAddress().isLoopbackAddress());
        HttpResponse<String> page = get("/", null);
        assertEquals(200, page.statusCode());
        assertTrue(page.headers().firstValue("Content-Type").orElse("").startsWith("text/html"));
        assertTrue(page.body().contains("screen-home"));
        assertEquals(200, get("/kiosk.js", null).statusCode());
        assertEquals(200, get("/kiosk.css", null).statusCode());
    }

    private RawHttp.Response raw(String method, String target, String extraHeaders, String body) throws Exception {
        return RawHttp.send(server.port(), method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + server.port()
                + "\r\nConnection: close\r\n" + extraHeaders
                + (body == null ? "" : "Content-Type: application/json\r\nContent-Length: " + body.length() + "\r\n")
                + "\r\n" + (body == null ? "" : body));
    }

    @Test
    void dot_dot_in_any_spelling_reaches_no_file_beside_the_screen() throws Exception {
        // KioskServer.class sits one directory above web/ on the class path: a lookup by name would find it.
        for (String target : List.of("/../KioskServer.class", "/%2e%2e/KioskServer.class", "/%2e%2e%2fKioskServer.class",
                "/%2E%2E%2FKioskServer.class", "/..%2fKioskServer.class", "/kiosk.js/../../KioskServer.class",
                "/%2e%2e/%2e%2e/kioskui/KioskServer.class")) {
            RawHttp.Response r = raw("GET", target, "", null);
            assertEquals(404, r.status(), target);
            assertEquals("{\"error\":\"not-found\"}", r.body(), target);
        }
    }

    @Test
    void a_very_long_path_is_414_and_the_server_keeps_serving() throws Exception {
        RawHttp.Response r = raw("GET", "/" + "a".repeat(100_000), "", null);
        assertEquals(414, r.status());
        assertEquals(414, raw("GET", "/api/status?" + "q=1&".repeat(1000), "", null).status());
        assertEquals(200, raw("GET", "/api/status", "", null).status());
    }

    @Test
    void head_gives_a_file_s_headers_without_its_body_and_runs_no_route() throws Exception {
        RawHttp.Response page = raw("HEAD", "/", "", null);
        assertEquals(200, page.status());
        assertTrue(page.header("Content-Type").startsWith("text/html"), page.headers().toString());
        assertEquals("", page.body());
        RawHttp.Response api = raw("HEAD", "/api/status", "", null);
        assertEquals(405, api.status());
        assertEquals("GET", api.header("Allow"));
    }

    @Test
    void other_methods_are_405_with_allow_and_run_no_route() throws Exception {
        port.codes.put("123456", 7);
        for (String method : List.of("PUT", "DELETE", "PATCH", "BREW")) {
            RawHttp.Response r = raw(method, "/api/pickup", "", "{\"door\":7,\"code\":\"123456\"}");
            assertEquals(405, r.status(), method);
            assertEquals("POST", r.header("Allow"), method);
        }
        assertEquals(List.of(), port.opened, "no door opened");
        RawHttp.Response trace = raw("TRACE", "/", "X-Kiosk-Session: secret-token\r\n", null);
        assertEquals(405, trace.status());
        assertEquals("GET, HEAD", trace.header("Allow"));
        assertTrue(!trace.body().contains("secret-token"), "TRACE echoes nothing: " + trace.body());
        assertEquals(404, raw("OPTIONS", "/nothing", "", null).status());
    }

    @Test
    void a_query_string_is_ignored_for_routing_and_is_never_input() throws Exception {
        RawHttp.Response js = raw("GET", "/kiosk.js?v=2", "", null);
        assertEquals(200, js.status());
        assertTrue(js.header("Content-Type").startsWith("text/javascript"));
        assertEquals(200, raw("GET", "/api/status?lang=en", "", null).status());
        port.codes.put("123456", 7);
        assertEquals(400, raw("POST", "/api/pickup?code=123456", "", "{}").status());
        assertEquals(List.of(), port.opened, "the code in the query opened nothing");
    }

    @Test
    void status_is_reported_in_snake_case() throws Exception {
        port.online = false;
        port.printerProblem = "paper-out";
        JsonNode s = json.readTree(get("/api/status", null).body());
        assertEquals(false, s.get("platform_online").asBoolean());
        assertEquals("paper-out", s.get("printer_problem").asText());
        assertEquals(6, s.get("code_min_length").asInt());
        assertEquals(60, s.get("idle_timeout_seconds").asInt());
    }

    @Test
    void valid_code_opens_its_door_and_a_code_works_once() throws Exception {
        port.codes.put("123456", 7);
        HttpResponse<String> elsewhere = post("/api/pickup", "{\"door\":6,\"code\":\"123456\"}", null);
        assertEquals(403, elsewhere.statusCode(), "the right code at another door opens nothing");
        HttpResponse<String> r = post("/api/pickup", "{\"door\":7,\"code\":\"123456\"}", null);
        assertEquals(200, r.statusCode());
        assertEquals(7, json.readTree(r.body()).get("door").asInt());
        HttpResponse<String> again = post("/api/pickup", "{\"door\":7,\"code\":\"123456\"}", null);
        assertEquals(403, again.statusCode());
        assertEquals("wrong-code", json.readTree(again.body()).get("error").asText());
    }

    @Test
    void lock_out_is_429_with_retry_after() throws Exception {
        for (int i = 0; i < 2; i++) {
            assertEquals(403, post("/api/pickup", "{\"door\":1,\"code\":\"000000\"}", null).statusCode());
        }
        HttpResponse<String> r = post("/api/pickup", "{\"door\":1,\"code\":\"000000\"}", null);
        assertEquals(429, r.statusCode());
        assertEquals("30", r.headers().firstValue("Retry-After").orElseThrow());
        assertEquals(30, json.readTree(r.body()).get("retry_after_s").asInt());
    }

    @Test
    void malformed_requests_are_400_and_unknown_paths_404() throws Exception {
        assertEquals(400, post("/api/pickup", "{not json", null).statusCode());
        assertEquals(400, post("/api/pickup", "{}", null).statusCode());
        assertEquals(400, post("/api/pickup", "[1,2]", null).statusCode());
        for (String door : List.of("\"7\"", "0", "1000", "7.5", "null")) {
            assertEquals(400, post("/api/pickup", "{\"door\":" + door + ",\"code\":\"123456\"}", null).statusCode(), door);
        }
        assertEquals(400, post("/api/pickup", "{\"code\":\"123456\"}", null).statusCode(), "no door");
        assertEquals(413, post("/api/pickup", "{\"code\":\"" + "1".repeat(KioskServer.MAX_BODY_BYTES) + "\"}", null)
                .statusCode());
        assertEquals(404, get("/api/nothing", null).statusCode());
        assertEquals(405, get("/api/pickup", null).statusCode());
    }

    @Test
    void an_unmapped_failure_is_a_500_without_details() throws Exception {
        port.explode = true;
        HttpResponse<String> r = post("/api/pickup", "{\"door\":7,\"code\":\"123456\"}", null);
        assertEquals(500, r.statusCode());
        assertEquals("{\"error\":\"internal\"}", r.body());
    }

    @Test
    void courier_endpoints_need_a_session() throws Exception {
        assertEquals(401, get("/api/courier/doors", null).statusCode());
        assertEquals(403, post("/api/courier/login", "{\"pin\":\"0000\"}", null).statusCode());
        JsonNode login = json.readTree(post("/api/courier/login", "{\"pin\":\"2468\"}", null).body());
        String session = login.get("token").asText();
        JsonNode doors = json.readTree(get("/api/courier/doors", session).body());
        assertEquals("S", doors.get("sizes").get(0).get("size").asText());
        assertEquals(2, doors.get("sizes").get(0).get("free").asInt());
        assertEquals(409, post("/api/courier/deposit", "{\"size\":\"M\"}", session).statusCode());
        JsonNode dep = json.readTree(post("/api/courier/deposit", "{\"size\":\"L\"}", session).body());
        assertEquals(10, dep.get("door").asInt());
        post("/api/session/end", "", session);
        assertEquals(401, get("/api/courier/doors", session).statusCode());
    }

    @Test
    void technician_actions_pass_their_arguments() throws Exception {
        assertEquals(401, post("/api/tech/action", "{\"action\":\"print-test\"}", "nope").statusCode());
        String session = json.readTree(post("/api/tech/login", "{\"pin\":\"9753\"}", null).body()).get("token").asText();
        JsonNode status = json.readTree(get("/api/tech/status", session).body());
        assertEquals(42, status.get("buffer_rows").asInt());
        JsonNode open = json.readTree(post("/api/tech/action", "{\"action\":\"open-door\",\"door\":3}", session).body());
        assertEquals(3, open.get("door").asInt());
        assertEquals(3, port.opened.get(0));
        assertEquals(404, post("/api/tech/action", "{\"action\":\"self-destruct\"}", session).statusCode());
    }

    @Test
    void printer_unavailable_is_503() throws Exception {
        port.printerProblem = "paper-out";
        HttpResponse<String> r = post("/api/print", "{\"qr\":\"sg-print:abc\"}", null);
        assertEquals(503, r.statusCode());
        assertEquals("printer-unavailable", json.readTree(r.body()).get("error").asText());
    }

    @Test
    void live_events_reach_the_page_as_server_sent_events() throws Exception {
        HttpRequest req = HttpRequest.newBuilder(uri("/api/events")).GET().build();
        HttpResponse<InputStream> r = client.send(req, HttpResponse.BodyHandlers.ofInputStream());
        assertEquals("text/event-stream; charset=utf-8", r.headers().firstValue("Content-Type").orElse(""));
        BlockingQueue<String> lines = new ArrayBlockingQueue<>(100);
        Thread reader = Thread.ofVirtual().start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = in.readLine()) != null) {
                    lines.offer(line);
                }
            } catch (java.io.IOException e) {
                // the stream ends when the server closes
            }
        });
        assertEquals("event: status", next(lines, "event: "));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (server.liveClients() == 0 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        port.push("door-closed", Map.of("door", 7));
        assertEquals("event: door-closed", next(lines, "event: door"));
        assertEquals("data: {\"door\":7}", next(lines, "data: "));
        server.close();
        reader.join(Duration.ofSeconds(5));
        assertTrue(!reader.isAlive(), "the stream ends when the server closes");
    }

    private static String next(BlockingQueue<String> lines, String prefix) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() < deadline) {
            String l = lines.poll(100, TimeUnit.MILLISECONDS);
            if (l != null && l.startsWith(prefix)) {
                return l;
            }
        }
        throw new AssertionError("no line starting with '" + prefix + "' within 5 s");
    }
}
