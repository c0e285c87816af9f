package org.streetgate.kiosk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.zxing.BinaryBitmap;
import com.google.zxing.RGBLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streetgate.drivers.escpos.EscPosSimulator;
import org.streetgate.drivers.spi.Message;
import org.streetgate.drivers.testing.Await;

/**
 * The whole kiosk as a person meets it: the runtime on the simulated locker, printer and scanner,
 * and its screen in real headless Chromium, pressed button by button.
 */
class KioskScreenRuntimeIT {
    private static final Duration WAIT = Duration.ofSeconds(8);
    private static Chromium browser;

    @TempDir
    Path dir;

    @BeforeAll
    static void startBrowser() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Chromium.BINARY), "no chromium here");
        browser = new Chromium(900, 1400);
    }

    @AfterAll
    static void stopBrowser() {
        if (browser != null) {
            browser.close();
        }
    }

    private static void open(KioskRig rig) throws Exception {
        browser.open("http://127.0.0.1:" + rig.kiosk.port() + "/");
        browser.waitUntil("document.body.dataset.screen === 'home'", WAIT);
        Await.until(WAIT, () -> rig.kiosk.liveClients() > 0, () -> "the page did not connect for live updates");
    }

    private static void type(String digits) throws Exception {
        for (char c : digits.toCharArray()) {
            browser.click("key-" + c);
        }
    }

    private static void awaitScreen(String screen) throws Exception {
        browser.waitUntil("document.body.dataset.screen === '" + screen + "'", WAIT);
    }

    @Test
    void a_courier_drops_off_and_the_recipient_picks_up_with_the_printed_code() throws Exception {
        try (KioskRig rig = new KioskRig(dir)) {
            open(rig);
            assertEquals("快递员投递", browser.text("btn-courier"));

            // The courier: PIN, size L, door 15 opens, parcel in, door shut, receipt printed.
            browser.click("btn-courier");
            type(KioskRig.COURIER_PIN);
            browser.click("btn-submit");
            awaitScreen("sizes");
            assertEquals("大格 — 空闲 2 个", browser.text("size-L"));
            browser.click("size-L");
            awaitScreen("door");
            assertEquals("15", browser.text("door-number"));
            assertTrue(rig.lockerSim().isOpen(15));
            browser.screenshot(Path.of("target/screens/runtime-drop-off-door.png"));
            rig.lockerSim().occupy(15, true);
            rig.lockerSim().closeDoor(15);
            awaitScreen("done");
            assertEquals("取件凭条已打印，请取走凭条", browser.text("done-message"));

            List<EscPosSimulator.PrintedReceipt> receipts = rig.printerSim().awaitReceipts(1, WAIT);
            Files.createDirectories(Path.of("target/screens"));
            Files.copy(receipts.get(0).file(), Path.of("target/screens/runtime-receipt.png"), StandardCopyOption.REPLACE_EXISTING);
            String qr = decodeQr(ImageIO.read(receipts.get(0).file().toFile()));
            assertTrue(qr.matches("sg-pickup:15:\\d{6}"), qr);
            String code = qr.substring("sg-pickup:15:".length());

            // The recipient: the code on the keypad, door 15 opens, the door is shut, done.
            browser.clickFirstVisible(".home-btn");
            awaitScreen("home");
            browser.click("btn-pickup");
            assertEquals("请输入取件凭条上的柜门号", browser.text("entry-title"));
            type("15");
            browser.click("btn-submit");
            browser.waitUntil("document.getElementById('entry-display').textContent === ''", WAIT);
            type(code);
            assertEquals(code, browser.text("entry-display"));
            browser.click("btn-submit");
            awaitScreen("door");
            assertEquals("15", browser.text("door-number"));
            assertEquals("请取出包裹，然后关好柜门", browser.text("door-instruction"));
            Await.until(WAIT, () -> rig.lockerSim().isOpen(15), () -> "door 15 did not open");
            rig.lockerSim().occupy(15, false);
            rig.lockerSim().closeDoor(15);
            awaitScreen("done");
            assertEquals("取件完成", browser.text("done-title"));
            browser.screenshot(Path.of("target/screens/runtime-pickup-done.png"));

            // On record for the platform, without the code.
            Message.Event picked = rig.awaitEvent("parcel.picked-up");
            Message.Event deposited = rig.events("parcel.deposited").get(0);
            assertEquals(deposited.data().get("parcel"), picked.data().get("parcel"));
            assertEquals(List.of("drop-off", "pickup"),
                    rig.events("kiosk.door-opened").stream().map(e -> e.data().get("reason")).toList());
            Await.until(WAIT, () -> rig.events("door.closed").size() == 2, () -> "door.closed events: " + rig.events);
            for (Message.Event e : rig.events) {
                assertFalse(e.data().toString().contains(code), "event carries the code: " + e);
            }
        }
    }

    @Test
    void offline_and_paper_out_show_live_and_pickup_still_works_offline_in_english() throws Exception {
        try (KioskRig rig = new KioskRig(dir)) {
            rig.addParcel("cert-7", 6, "90817263");
            open(rig);
            assertFalse(browser.eval("document.getElementById('banner-offline').hidden === false").asBoolean());
            rig.online.set(false);
            rig.printerSim().paperOut();
            browser.waitUntil("document.getElementById('banner-offline').hidden === false", WAIT);
            browser.waitUntil("document.getElementById('banner-printer').dataset.problem === 'paper-out'", WAIT);
            assertEquals("网络已断开：仍可输入取件码取件", browser.text("banner-offline"));
            assertEquals("打印机缺纸，暂时无法打印凭条和文件", browser.text("banner-printer"));
            browser.screenshot(Path.of("target/screens/runtime-offline-paper-out.png"));

            browser.click("btn-lang");
            assertEquals("Network offline: pickup with a code still works", browser.text("banner-offline"));
            browser.click("btn-pickup");
            type("6");
            browser.click("btn-submit");
            browser.waitUntil("document.getElementById('entry-display').textContent === ''", WAIT);
            type("90817263");
            browser.click("btn-submit");
            awaitScreen("door");
            assertEquals("6", browser.text("door-number"));
            assertEquals("Take your parcel, then close the door", browser.text("door-instruction"));
            rig.lockerSim().closeDoor(6);
            awaitScreen("done");
            assertEquals("Pickup complete", browser.text("done-title"));
            assertEquals("cert-7", rig.awaitEvent("parcel.picked-up").data().get("parcel"));
        }
    }

    @Test
    void the_technician_page_shows_the_real_devices_and_opens_a_door() throws Exception {
        try (KioskRig rig = new KioskRig(dir)) {
            open(rig);
            browser.click("btn-tech");
            type(KioskRig.TECH_PIN);
            browser.click("btn-submit");
            awaitScreen("tech");
            browser.waitUntil("document.getElementById('tech-info').textContent.includes('locker-1')", WAIT);
            assertTrue(browser.text("tech-info").contains("0.1.0-test"));
            assertTrue(browser.text("tech-info").contains("17"), "buffer depth shown: " + browser.text("tech-info"));
            browser.click("tech-door-plus");
            browser.click("tech-door-plus");
            browser.click("btn-tech-open");
            browser.waitUntil("document.getElementById('tech-output').textContent.includes('\"opened\": true')", WAIT);
            assertTrue(rig.lockerSim().isOpen(3));
            assertEquals("technician", rig.awaitEvent("kiosk.door-opened").data().get("reason"));
            browser.screenshot(Path.of("target/screens/runtime-maintenance.png"));
        }
    }

    private static String decodeQr(BufferedImage image) throws Exception {
        int[] pixels = image.getRGB(0, 0, image.getWidth(), image.getHeight(), null, 0, image.getWidth());
        var source = new RGBLuminanceSource(image.getWidth(), image.getHeight(), pixels);
        return new QRCodeReader().decode(new BinaryBitmap(new HybridBinarizer(source))).getText();
    }
}
