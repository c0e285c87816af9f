package org.streetgate.drivers.escpos;

import com.google.zxing.EncodeHintType;
import com.google.zxing.WriterException;
import com.google.zxing.qrcode.decoder.ErrorCorrectionLevel;
import com.google.zxing.qrcode.encoder.ByteMatrix;
import com.google.zxing.qrcode.encoder.Encoder;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.GraphicsEnvironment;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.tinylog.Logger;

/**
 * Draws what an ESC/POS printer would put on paper, one {@link EscPosCodec.Op} at a time, as a
 * thermal printer does it: 203 dpi dots, Font A cells (12 x 24 dots, 24 x 24 for Chinese), lines
 * printed on LF, QR codes and raster images in place, and a finished receipt at each cut.
 */
final class ReceiptRenderer {
    static {
        // The gateway has no display; Java2D must not look for one.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /** A finished receipt: the picture, its text (one line per printed line) and its QR contents. */
    record Page(BufferedImage image, String text, List<String> qrCodes) {}

    static final int CELL_W = 12;
    static final int CELL_H = 24;
    static final int LINE_SPACING = 30; // ESC 2 default: about 1/6 inch at 203 dpi
    // Mono first: its Latin glyphs are half the width of its Chinese ones, like a printer's 12 x 24 Font A.
    private static final List<String> CJK_FAMILIES = List.of("WenQuanYi Micro Hei Mono", "WenQuanYi Micro Hei", "WenQuanYi Zen Hei",
            "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "Droid Sans Fallback", "AR PL UMing CN");
    private static volatile Font baseFont;

    private record Glyph(int codePoint, boolean bold, int w, int h) {
        int cellWidth() {
            return (wide(codePoint) ? 2 * CELL_W : CELL_W) * w;
        }
    }

    private final int width;
    private BufferedImage canvas;
    private Graphics2D g;
    private int y;
    private final List<Glyph> pending = new ArrayList<>();
    private final StringBuilder text = new StringBuilder();
    private final StringBuilder lineText = new StringBuilder();
    private final List<String> qrCodes = new ArrayList<>();
    private boolean bold;
    private int sizeW = 1;
    private int sizeH = 1;
    private Receipt.Align align = Receipt.Align.LEFT;
    private int qrModule = 3;
    private EscPosCodec.QrEc qrEc = EscPosCodec.QrEc.L;
    private byte[] qrData;

    ReceiptRenderer(int widthDots) {
        this.width = widthDots;
        newCanvas();
    }

    /** Dots of paper used since the last cut. */
    int y() {
        return y;
    }

    /** Applies one op; returns the finished page when the op was a cut, else null. */
    Page apply(EscPosCodec.Op op) {
        switch (op) {
            case EscPosCodec.Init i -> {
                pending.clear();
                lineText.setLength(0);
                bold = false;
                sizeW = 1;
                sizeH = 1;
                align = Receipt.Align.LEFT;
                qrModule = 3;
                qrEc = EscPosCodec.QrEc.L;
                qrData = null;
            }
            case EscPosCodec.Text t -> {
                t.text().codePoints().forEach(cp -> pending.add(new Glyph(cp, bold, sizeW, sizeH)));
                lineText.append(t.text());
            }
            case EscPosCodec.LineFeed lf -> printLine(true);
            case EscPosCodec.Bold b -> bold = b.on();
            case EscPosCodec.PrintMode m -> {
                bold = (m.bits() & 0x08) != 0;
                sizeH = (m.bits() & 0x10) != 0 ? 2 : 1;
                sizeW = (m.bits() & 0x20) != 0 ? 2 : 1;
            }
            case EscPosCodec.Size s -> {
                sizeW = s.width();
                sizeH = s.height();
            }
            case EscPosCodec.Justify j -> align = j.align();
            case EscPosCodec.Feed f -> {
                printLine(false);
                advance(f.lines() * LINE_SPACING);
            }
            case EscPosCodec.FeedDots f -> {
                printLine(false);
                advance(f.dots());
            }
            case EscPosCodec.Cut c -> {
                printLine(false);
                return finish();
            }
            case EscPosCodec.QrModel m -> { } // model 2 is what everyone prints
            case EscPosCodec.QrModuleSize s -> qrModule = Math.max(1, Math.min(16, s.dots()));
            case EscPosCodec.QrErrorCorrection e -> qrEc = e.level();
            case EscPosCodec.QrStore s -> qrData = s.data();
            case EscPosCodec.QrPrint p -> {
                printLine(false);
                drawQr();
            }
            case EscPosCodec.Raster r -> {
                printLine(false);
                drawRaster(r);
            }
            case EscPosCodec.StatusQuery q -> { } // answered by the simulator, nothing on paper
            case EscPosCodec.ChineseMode c -> { } // text is always read as GB18030, a superset of ASCII
            case EscPosCodec.Ignored i -> { }
        }
        return null;
    }

    /** What is on the paper so far, without cutting (for a look at an unfinished job). */
    BufferedImage snapshot() {
        return crop(Math.max(1, y));
    }

    private void printLine(boolean feedEmpty) {
        if (pending.isEmpty()) {
            if (feedEmpty) {
                advance(LINE_SPACING * sizeH);
                text.append('\n');
            }
            return;
        }
        // Wrap at the paper width, as the printer does, then draw each row in its alignment.
        List<List<Glyph>> rows = new ArrayList<>();
        List<Glyph> row = new ArrayList<>();
        int rowWidth = 0;
        for (Glyph gl : pending) {
            if (rowWidth + gl.cellWidth() > width && !row.isEmpty()) {
                rows.add(row);
                row = new ArrayList<>();
                rowWidth = 0;
            }
            row.add(gl);
            rowWidth += gl.cellWidth();
        }
        rows.add(row);
        for (List<Glyph> r : rows) {
            drawRow(r);
        }
        pending.clear();
        text.append(lineText).append('\n');
        lineText.setLength(0);
    }

    private void drawRow(List<Glyph> row) {
        int rowWidth = row.stream().mapToInt(Glyph::cellWidth).sum();
        int maxH = row.stream().mapToInt(Glyph::h).max().orElse(1);
        int height = CELL_H * maxH + (LINE_SPACING - CELL_H);
        ensure(height);
        int x = switch (align) {
            case LEFT -> 0;
            case CENTER -> Math.max(0, (width - rowWidth) / 2);
            case RIGHT -> Math.max(0, width - rowWidth);
        };
        int baseline = y + CELL_H * maxH - maxH * 3; // descenders sit in the cell's bottom dots
        for (Glyph gl : row) {
            Font f = font(gl.bold(), gl.w(), gl.h());
            String s = new String(Character.toChars(gl.codePoint()));
            g.setFont(f);
            int glyphW = g.getFontMetrics().stringWidth(s);
            int cx = x + Math.max(0, (gl.cellWidth() - glyphW) / 2);
            g.drawString(s, cx, baseline);
            if (gl.bold() && !f.isBold()) {
                g.drawString(s, cx + 1, baseline); // no bold face in the font: double-strike like the head does
            }
            x += gl.cellWidth();
        }
        y += height;
    }

    private void drawQr() {
        if (qrData == null) {
            return; // nothing stored: a real printer prints nothing either
        }
        String content = new String(qrData, StandardCharsets.ISO_8859_1);
        ByteMatrix m;
        try {
            // ISO-8859-1 maps each stored byte to one character, so the symbol holds exactly the bytes sent.
            m = Encoder.encode(content, ErrorCorrectionLevel.valueOf(qrEc.name()),
                    Map.of(EncodeHintType.CHARACTER_SET, "ISO-8859-1")).getMatrix();
        } catch (WriterException e) {
            Logger.debug("QR not printable: {}", e.getMessage());
            return;
        }
        int side = m.getWidth() * qrModule;
        ensure(side + LINE_SPACING);
        int x0 = switch (align) {
            case LEFT -> 0;
            case CENTER -> Math.max(0, (width - side) / 2);
            case RIGHT -> Math.max(0, width - side);
        };
        int y0 = y + 8;
        for (int my = 0; my < m.getHeight(); my++) {
            for (int mx = 0; mx < m.getWidth(); mx++) {
                if (m.get(mx, my) == 1) {
                    g.fillRect(x0 + mx * qrModule, y0 + my * qrModule, qrModule, qrModule);
                }
            }
        }
        y += side + 16;
        qrCodes.add(new String(qrData, StandardCharsets.UTF_8));
    }

    private void drawRaster(EscPosCodec.Raster r) {
        ensure(r.height());
        for (int row = 0; row < r.height(); row++) {
            for (int bx = 0; bx < r.widthBytes(); bx++) {
                int bits = r.data()[row * r.widthBytes() + bx] & 0xFF;
                for (int bit = 0; bit < 8; bit++) {
                    int x = bx * 8 + bit;
                    if ((bits & 0x80 >> bit) != 0 && x < width) {
                        g.fillRect(x, y + row, 1, 1);
                    }
                }
            }
        }
        y += r.height();
    }

    private void advance(int dots) {
        ensure(dots);
        y += dots;
    }

    private Page finish() {
        BufferedImage img = crop(y + LINE_SPACING);
        Page p = new Page(img, text.toString(), List.copyOf(qrCodes));
        text.setLength(0);
        qrCodes.clear();
        g.dispose();
        newCanvas();
        return p;
    }

    private BufferedImage crop(int height) {
        ensure(Math.max(0, height - y));
        BufferedImage out = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D og = out.createGraphics();
        og.drawImage(canvas, 0, 0, null);
        og.dispose();
        return out;
    }

    private void newCanvas() {
        canvas = new BufferedImage(width, 2048, BufferedImage.TYPE_INT_RGB);
        g = prepare(canvas);
        y = 0;
    }

    /** Grows the paper when {@code dots} more would not fit. */
    private void ensure(int dots) {
        if (y + dots <= canvas.getHeight()) {
            return;
        }
        BufferedImage bigger = new BufferedImage(width, Math.max(canvas.getHeight() * 2, y + dots + 256),
                BufferedImage.TYPE_INT_RGB);
        Graphics2D bg = prepare(bigger);
        bg.drawImage(canvas, 0, 0, null);
        g.dispose();
        canvas = bigger;
        g = bg;
    }

    private static Graphics2D prepare(BufferedImage img) {
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, img.getWidth(), img.getHeight());
        g.setColor(Color.BLACK);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        return g;
    }

    private static Font font(boolean bold, int w, int h) {
        Font f = baseFont();
        if (bold) {
            f = f.deriveFont(Font.BOLD);
        }
        return w == 1 && h == 1 ? f : f.deriveFont(AffineTransform.getScaleInstance(w, h));
    }

    /** A font with Chinese glyphs when one is installed (Debian: fonts-wqy-microhei), else SansSerif. */
    static Font baseFont() {
        Font f = baseFont;
        if (f == null) {
            Set<String> families = Set.of(GraphicsEnvironment.getLocalGraphicsEnvironment().getAvailableFontFamilyNames());
            String family = CJK_FAMILIES.stream().filter(families::contains).findFirst().orElse(null);
            if (family == null) {
                Logger.warn("no CJK font found (install fonts-wqy-microhei): Chinese text in simulated receipts may show as boxes");
                family = Font.SANS_SERIF;
            }
            f = new Font(family, Font.PLAIN, CELL_H);
            baseFont = f;
        }
        return f;
    }

    static boolean wide(int cp) {
        return cp >= 0x1100 && cp <= 0x115F
                || cp >= 0x2E80 && cp <= 0xA4CF
                || cp >= 0xAC00 && cp <= 0xD7A3
                || cp >= 0xF900 && cp <= 0xFAFF
                || cp >= 0xFE30 && cp <= 0xFE4F
                || cp >= 0xFF00 && cp <= 0xFF60
                || cp >= 0xFFE0 && cp <= 0xFFE6
                || cp >= 0x20000;
    }
}
