package org.streetgate.drivers.escpos;

import java.util.List;
import java.util.Objects;

/**
 * What the kiosk prints: lines of text, an optional QR code under them, and whether to cut.
 *
 * @param qr the QR code's content (e.g. a pickup URL), or null for none
 */
public record Receipt(List<Line> lines, String qr, boolean cut) {
    public enum Align { LEFT, CENTER, RIGHT }

    /**
     * One line of text. {@code size} multiplies the character width and height (1..8, GS !).
     */
    public record Line(String text, boolean bold, int size, Align align) {
        public Line {
            Objects.requireNonNull(text, "text");
            Objects.requireNonNull(align, "align");
            if (size < 1 || size > 8) {
                throw new IllegalArgumentException("size must be 1..8, not " + size);
            }
            if (text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
                throw new IllegalArgumentException("a line must not contain line breaks");
            }
        }

        public static Line of(String text) {
            return new Line(text, false, 1, Align.LEFT);
        }

        public Line withBold() {
            return new Line(text, true, size, align);
        }

        public Line withSize(int n) {
            return new Line(text, bold, n, align);
        }

        public Line withAlign(Align a) {
            return new Line(text, bold, size, a);
        }
    }

    public Receipt {
        lines = List.copyOf(lines);
        if (lines.isEmpty() && qr == null) {
            throw new IllegalArgumentException("a receipt needs at least one line or a QR code");
        }
        if (qr != null && (qr.isEmpty() || qr.length() > EscPosCodec.QR_MAX_BYTES)) {
            throw new IllegalArgumentException("QR content must be 1.." + EscPosCodec.QR_MAX_BYTES + " characters");
        }
    }
}
