package org.streetgate.ota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streetgate.ota.push.PushEndpoint;
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
}
