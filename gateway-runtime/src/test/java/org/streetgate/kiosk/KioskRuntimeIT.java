package org.streetgate.kiosk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.zxing.BinaryBitmap;
import com.google.zxing.RGBLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streetgate.command.CommandLog;
import org.streetgate.command.CommandResult;
import org.streetgate.command.CommandRouter;
import org.streetgate.drivers.escpos.EscPosSimulator;
import org.streetgate.drivers.spi.Message;
import org.streetgate.drivers.testing.Await;

/**
 * The kiosk end to end: the real runtime on the simulated locker, printer and scanner, driven over
 * its HTTP API and live-update stream exactly as the screen drives it, with platform commands
 * through the real command router (the screen in a browser: KioskScreenRuntimeIT).
 */
class KioskRuntimeIT {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path dir;

    private JsonNode call(KioskRig rig, String method, String path, String body, String session) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + rig.kiosk.port() + path))
                .timeout(Duration.ofSeconds(10)).header("Content-Type", "application/json");
        if (session != null) {
            b.header("X-Kiosk-Session", session);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        JsonNode n = json.readTree(r.body());
        ((com.fasterxml.jackson.databind.node.ObjectNode) n).put("_status", r.statusCode());
        return n;
    }

    /** The page's live stream, as "type data" lines. */
    private List<String> live(KioskRig rig) throws Exception {
        List<String> events = new CopyOnWriteArrayList<>();
        HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + rig.kiosk.port() + "/api/events")).build();
        HttpResponse<InputStream> r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        Thread.ofVirtual().start(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
                String type = null;
                String line;
                while ((line = in.readLine()) != null) {
                    if (line.startsWith("event: ")) {
                        type = line.substring(7);
                    } else if (line.startsWith("data: ") && type != null) {
                        events.add(type + " " + line.substring(6));
                    }
                }
            } catch (java.io.IOException e) {
                // closed with the kiosk
            }
        });
        Await.until(WAIT, () -> !events.isEmpty(), () -> "no status on the live stream");
        return events;
    }

    private static void awaitLive(List<String> live, String prefix) throws InterruptedException {
        Await.until(WAIT, () -> live.stream().anyMatch(l -> l.startsWith(prefix)), () -> "no '" + prefix + "' in " + live);
    }

    @Test
    void courier_drop_off_prints_a_receipt_whose_qr_opens_the_door_again() throws Exception {
        try (KioskRig rig = new KioskRig(dir)) {
            List<String> live = live(rig);

            // Courier: PIN, a size, the door opens, the parcel goes in, the door is shut.
            JsonNode login = call(rig, "POST", "/api/courier/login", "{\"pin\":\"" + KioskRig.COURIER_PIN + "\"}", null);
            assertEquals(200, login.get("_status").asInt());
            String session = login.get("token").asText();
            JsonNode sizes = call(rig, "GET", "/api/courier/doors", null, session);
            assertEquals("L", sizes.get("sizes").get(2).get("size").asText());
            assertEquals(2, sizes.get("sizes").get(2).get("free").asInt());
            JsonNode deposit = call(rig, "POST", "/api/courier/deposit", "{\"size\":\"L\"}", session);
            assertEquals(15, deposit.get("door").asInt());
            Await.until(WAIT, () -> rig.lockerSim().isOpen(15), () -> "door 15 not open");
            rig.lockerSim().occupy(15, true);
            rig.lockerSim().closeDoor(15);
            awaitLive(live, "deposit-done {\"door\":15");
            assertTrue(live.stream().anyMatch(l -> l.contains("\"printed\":true")), live.toString());

            // The receipt: a PNG whose QR holds the pickup code.
            List<EscPosSimulator.PrintedReceipt> receipts = rig.printerSim().awaitReceipts(1, WAIT);
            Path png = receipts.get(0).file();
            assertNotNull(png);
            Files.copy(png, Path.of("target/kiosk-receipt.png"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            String qr = decodeQr(ImageIO.read(png.toFile()));
            assertTrue(qr.matches("sg-pickup:15:\\d{6}"), qr);
            String code = qr.substring("sg-pickup:15:".length());

            // The recipient: the code at the screen opens door 15, once.
            JsonNode pickup = call(rig, "POST", "/api/pickup", "{\"door\":15,\"code\":\"" + code + "\"}", null);
            assertEquals(200, pickup.get("_status").asInt(), pickup.toString());
            assertEquals(15, pickup.get("door").asInt());
            Await.until(WAIT, () -> rig.lockerSim().isOpen(15), () -> "door 15 not open for pickup");
            rig.lockerSim().occupy(15, false);
            rig.lockerSim().closeDoor(15);
            rig.awaitEvent("parcel.picked-up");
            // Both shuttings reach the page (the stream is asynchronous: wait for the second).
            Await.until(WAIT, () -> live.stream().filter(l -> l.startsWith("door-closed {\"door\":15}")).count() == 2,
                    () -> "two door-closed updates for door 15: " + live);
            assertEquals("wrong-code", call(rig, "POST", "/api/pickup", "{\"door\":15,\"code\":\"" + code + "\"}", null)
                    .get("error").asText());

            // What the platform gets: the story of both openings, and never the code.
            Await.until(WAIT, () -> rig.events("door.closed").size() == 2, () -> "locker door.closed events: " + rig.events);
            List<String> types = rig.events.stream().map(Message.Event::type).toList();
            for (String t : List.of("kiosk.door-opened", "door.opened", "door.closed", "parcel.deposited", "parcel.picked-up")) {
                assertTrue(types.contains(t), t + " missing from " + types);
            }
            assertEquals(List.of("drop-off", "pickup"),
                    rig.events("kiosk.door-opened").stream().map(e -> e.data().get("reason")).toList());
            assertEquals(List.of("drop-off", "pickup"),
                    rig.events("door.opened").stream().map(e -> e.data().get("reason")).toList());
            String parcel = (String) rig.events("parcel.deposited").get(0).data().get("parcel");
            assertEquals(parcel, rig.events("parcel.picked-up").get(0).data().get("parcel"));
            for (Message.Event e : rig.events) {
                assertFalse(e.data().toString().contains(code), "event carries the code: " + e);
            }
            assertNoCodeOnDisk(code);
        }
    }

    @Test
    void platform_parcels_arrive_through_the_command_router_and_work_offline() throws Exception {
        try (KioskRig rig = new KioskRig(dir);
             CommandLog log = new CommandLog(dir.resolve("commands.db"))) {
            List<CommandResult> results = new java.util.concurrent.CopyOnWriteArrayList<>();
            CommandRouter router = new CommandRouter(log, rig.clock::get, results::add);
            router.register("kiosk", rig.kiosk);
            router.handle("""
                    {"id":"c1","device":"kiosk","action":"add-parcel","args":{"parcel":"cert-7","door":6,"code":"90817263"}}
                    """.getBytes(StandardCharsets.UTF_8));
            router.handle("""
                    {"id":"c2","device":"kiosk","action":"add-parcel","args":{"parcel":"cert-8","door":6,"code":"1234"}}
                    """.getBytes(StandardCharsets.UTF_8));
            router.handle("""
                    {"id":"c1","device":"kiosk","action":"add-parcel","args":{"parcel":"cert-7","door":6,"code":"90817263"}}
                    """.getBytes(StandardCharsets.UTF_8));
            // The router answers off the caller's thread, in arrival order for one device.
            org.streetgate.drivers.testing.Await.until(java.time.Duration.ofSeconds(10), () -> results.size() == 3,
                    () -> "results: " + results);
            assertEquals(CommandResult.Status.OK, results.get(0).status(), results.toString());
            assertEquals(CommandResult.Status.REJECTED, results.get(1).status());
            assertFalse(results.get(1).error().contains("1234"), results.get(1).error());
            assertEquals(CommandResult.Status.DUPLICATE, results.get(2).status());

            rig.online.set(false);
            List<String> live = live(rig);
            awaitLive(live, "status {\"platform_online\":false");
            // A scanned QR works offline too; the screen hears of it on the live stream.
            rig.scannerSim().scan("sg-pickup:6:90817263");
            awaitLive(live, "pickup {\"door\":6}");
            Await.until(WAIT, () -> rig.lockerSim().isOpen(6), () -> "door 6 not open");
            assertNoCodeOnDisk("90817263");
        }
    }

    /** kiosk.db and its WAL hold hashes only: the code's digits never appear in the files. */
    private void assertNoCodeOnDisk(String code) throws Exception {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("kiosk.db")).toList()) {
                String bytes = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                assertFalse(bytes.contains(code), f + " holds the code in clear");
            }
        }
    }

    private static String decodeQr(BufferedImage image) throws Exception {
        int[] pixels = image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
        var source = new RGBLuminanceSource(image.getWidth(), image.getHeight(), pixels);
        return new QRCodeReader().decode(new BinaryBitmap(new HybridBinarizer(source))).getText();
    }
}
