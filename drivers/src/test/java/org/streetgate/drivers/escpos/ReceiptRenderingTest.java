package org.streetgate.drivers.escpos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.zxing.BinaryBitmap;
import com.google.zxing.RGBLuminanceSource;
import com.google.zxing.common.HybridBinarizer;
import com.google.zxing.qrcode.QRCodeReader;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.streetgate.drivers.transport.PipeLink;

/**
 * The simulator draws what it receives. The receipt it draws here is kept at
 * {@code drivers/target/receipts/pickup-receipt-zh.png} for people to look at.
 */
class ReceiptRenderingTest {
    static final Path OUT = Path.of("target", "receipts");

    static String decodeQr(BufferedImage img) throws Exception {
        int[] px = img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
        var bitmap = new BinaryBitmap(new HybridBinarizer(new RGBLuminanceSource(img.getWidth(), img.getHeight(), px)));
        return new QRCodeReader().decode(bitmap).getText();
    }

    static Receipt pickupReceipt() {
        return new Receipt(List.of(
                Receipt.Line.of("城市服务亭 StreetGate").withBold().withSize(2).withAlign(Receipt.Align.CENTER),
                Receipt.Line.of("包裹已存入 Parcel deposited").withAlign(Receipt.Align.CENTER),
                Receipt.Line.of(""),
                Receipt.Line.of("柜门 Door: 17"),
                Receipt.Line.of("取件码 Pickup code:"),
                Receipt.Line.of("483 920").withBold().withSize(3).withAlign(Receipt.Align.CENTER),
                Receipt.Line.of("请在72小时内取件，扫描二维码或输入取件码。"),
                Receipt.Line.of("2026-11-28 15:04").withAlign(Receipt.Align.RIGHT)),
                "https://kiosk.invalid/pickup?d=17&t=demo", true);
    }

    @Test
    void a_pickup_receipt_with_chinese_text_and_a_qr_code_renders_to_png() throws Exception {
        EscPosSimulator sim = new EscPosSimulator(576, OUT.resolve("rendering-test"));
        PipeLink[] pair = PipeLink.pair("rendering");
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                sim.serve(pair[1]);
            } catch (Exception e) {
                // link closed
            }
        });
        try {
            pair[0].write(EscPosCodec.receipt(pickupReceipt(), true));
            EscPosSimulator.PrintedReceipt r = sim.awaitReceipts(1, Duration.ofSeconds(10)).get(0);

            Path file = OUT.resolve("pickup-receipt-zh.png");
            Files.createDirectories(OUT);
            javax.imageio.ImageIO.write(r.image(), "png", file.toFile());
            assertNotNull(r.file());
            assertTrue(Files.size(r.file()) > 1000, "the simulator wrote its own PNG too");

            assertEquals(576, r.image().getWidth());
            assertTrue(r.text().contains("取件码 Pickup code:"), r.text());
            assertTrue(r.text().contains("483 920"), r.text());
            assertEquals(List.of("https://kiosk.invalid/pickup?d=17&t=demo"), r.qrCodes());
            // The QR on the paper is a real, readable symbol with the content that was sent.
            assertEquals("https://kiosk.invalid/pickup?d=17&t=demo", decodeQr(r.image()));
        } finally {
            t.interrupt();
            pair[0].close();
        }
    }

    @Test
    void the_test_page_renders_with_its_qr_code() throws Exception {
        ReceiptRenderer r = new ReceiptRenderer(576);
        ReceiptRenderer.Page page = null;
        byte[] stream = EscPosCodec.receipt(EscPosDriver.testPage(), true);
        int off = 0;
        while (off < stream.length) {
            var p = (EscPosCodec.Parsed) EscPosCodec.decodeHost(stream, off, stream.length - off);
            off += p.consumed();
            ReceiptRenderer.Page done = r.apply(p.op());
            page = done == null ? page : done;
        }
        assertNotNull(page);
        Files.createDirectories(OUT);
        javax.imageio.ImageIO.write(page.image(), "png", OUT.resolve("test-page.png").toFile());
        assertTrue(page.text().contains("打印测试页 / Printer test page"), page.text());
        assertEquals("https://streetgate.invalid/test-page", decodeQr(page.image()));
    }

    @Test
    void a_cjk_font_is_used_so_chinese_characters_are_real_glyphs_not_boxes() {
        assertEquals(-1, ReceiptRenderer.baseFont().canDisplayUpTo("取件码中文"),
                "font " + ReceiptRenderer.baseFont().getFamily() + " lacks Chinese glyphs: install fonts-wqy-microhei");
        // Draw three different characters; missing-glyph boxes would all look the same.
        ReceiptRenderer r = new ReceiptRenderer(576);
        r.apply(new EscPosCodec.Text("取件码"));
        r.apply(new EscPosCodec.LineFeed());
        BufferedImage img = r.snapshot();
        int[][] cells = new int[3][];
        for (int i = 0; i < 3; i++) {
            cells[i] = img.getRGB(i * 24, 0, 24, 24, null, 0, 24);
            assertTrue(Arrays.stream(cells[i]).anyMatch(p -> (p & 0xFF) < 128), "character " + i + " left ink");
        }
        assertFalse(Arrays.equals(cells[0], cells[1]));
        assertFalse(Arrays.equals(cells[1], cells[2]));
    }

    @Test
    void double_size_text_is_twice_as_tall_and_centred() {
        ReceiptRenderer r = new ReceiptRenderer(576);
        r.apply(new EscPosCodec.Justify(Receipt.Align.CENTER));
        r.apply(new EscPosCodec.Size(2, 2));
        r.apply(new EscPosCodec.Text("AB"));
        r.apply(new EscPosCodec.LineFeed());
        assertEquals(2 * ReceiptRenderer.CELL_H + ReceiptRenderer.LINE_SPACING - ReceiptRenderer.CELL_H, r.y());
        BufferedImage img = r.snapshot();
        // "AB" at double width is 48 dots wide, centred: nothing in the first 200 dots.
        int[] left = img.getRGB(0, 0, 200, r.y(), null, 0, 200);
        assertTrue(Arrays.stream(left).allMatch(p -> (p & 0xFFFFFF) == 0xFFFFFF));
    }
}
