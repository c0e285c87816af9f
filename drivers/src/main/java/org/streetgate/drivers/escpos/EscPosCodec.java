package org.streetgate.drivers.escpos;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * ESC/POS, both directions, without I/O: a {@link Builder} for the host's byte stream, the real-time
 * status exchange (DLE EOT), and {@link #decodeHost} for the printer's side (the simulator).
 *
 * <p>Text is encoded in GB18030, which Chinese-market printers read in Chinese mode ({@code FS &});
 * ASCII is a subset, so English prints the same. Commands follow the Epson ESC/POS reference:
 * {@code ESC @} init, {@code ESC E} bold, {@code GS !} character size, {@code ESC a} justification,
 * {@code GS ( k} QR code (model, module size, error correction, store, print), {@code GS V} cut.
 */
public final class EscPosCodec {
    public static final Charset GB18030 = Charset.forName("GB18030");
    public static final int QR_MAX_BYTES = 7089;
    public static final byte ESC = 0x1B;
    public static final byte GS = 0x1D;
    public static final byte FS = 0x1C;
    public static final byte DLE = 0x10;
    public static final byte EOT = 0x04;
    public static final byte LF = 0x0A;

    /** DLE EOT n: n=1 printer, 2 offline cause, 3 error cause, 4 paper roll sensor. */
    public static final int STATUS_PRINTER = 1;
    public static final int STATUS_OFFLINE = 2;
    public static final int STATUS_ERROR = 3;
    public static final int STATUS_PAPER = 4;

    /** QR error correction levels and their GS ( k fn 69 values. */
    public enum QrEc {
        L(48), M(49), Q(50), H(51);

        final int code;

        QrEc(int code) {
            this.code = code;
        }

        static QrEc of(int code) {
            for (QrEc e : values()) {
                if (e.code == code) {
                    return e;
                }
            }
            return null;
        }
    }

    private EscPosCodec() {}

    // ---------------------------------------------------------------- host to printer

    /** Appends ESC/POS commands; {@link #bytes()} is the stream to send. */
    public static final class Builder {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        public Builder init() {
            return raw(ESC, '@');
        }

        /** FS &: Chinese character mode, so bytes 0x81.. are read as GB18030 characters. */
        public Builder chineseMode() {
            return raw(FS, '&');
        }

        /** Text without the line feed; control characters become spaces so they cannot act as commands. */
        public Builder text(String text) {
            StringBuilder clean = new StringBuilder(text.length());
            text.codePoints().forEach(c -> clean.appendCodePoint(c < 0x20 || c == 0x7F ? ' ' : c));
            out.writeBytes(clean.toString().getBytes(GB18030));
            return this;
        }

        public Builder line(String text) {
            return text(text).newline();
        }

        public Builder newline() {
            out.write(LF);
            return this;
        }

        public Builder bold(boolean on) {
            return raw(ESC, 'E', on ? 1 : 0);
        }

        /** GS !: width and height multipliers, 1..8 each. */
        public Builder size(int width, int height) {
            if (width < 1 || width > 8 || height < 1 || height > 8) {
                throw new IllegalArgumentException("character size must be 1..8 by 1..8");
            }
            return raw(GS, '!', (width - 1) << 4 | (height - 1));
        }

        public Builder align(Receipt.Align align) {
            return raw(ESC, 'a', align.ordinal());
        }

        /** ESC d n: prints the buffer and feeds n lines. */
        public Builder feed(int lines) {
            return raw(ESC, 'd', Math.min(255, Math.max(0, lines)));
        }

        /**
         * A QR code, model 2: GS ( k fn 65 (model), 67 (module size in dots, 1..16), 69 (error
         * correction), 80 (store the data), 81 (print it).
         */
        public Builder qr(byte[] data, int moduleSize, QrEc ec) {
            if (data.length < 1 || data.length > QR_MAX_BYTES) {
                throw new IllegalArgumentException("QR data must be 1.." + QR_MAX_BYTES + " bytes");
            }
            if (moduleSize < 1 || moduleSize > 16) {
                throw new IllegalArgumentException("QR module size must be 1..16 dots");
            }
            raw(GS, '(', 'k', 4, 0, 49, 65, 50, 0);           // fn 65: model 2
            raw(GS, '(', 'k', 3, 0, 49, 67, moduleSize);      // fn 67: module size
            raw(GS, '(', 'k', 3, 0, 49, 69, ec.code);         // fn 69: error correction
            int p = data.length + 3;
            raw(GS, '(', 'k', p & 0xFF, p >> 8, 49, 80, 48);   // fn 80: store, then the data
            out.writeBytes(data);
            return raw(GS, '(', 'k', 3, 0, 49, 81, 48);       // fn 81: print
        }

        public Builder qr(String text, int moduleSize, QrEc ec) {
            return qr(text.getBytes(StandardCharsets.UTF_8), moduleSize, ec);
        }

        /** GS V 0: full cut. */
        public Builder cut() {
            return raw(GS, 'V', 0);
        }

        public Builder raw(int... bytes) {
            for (int b : bytes) {
                out.write(b);
            }
            return this;
        }

        public byte[] bytes() {
            return out.toByteArray();
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The full byte stream for a receipt: init, lines, the QR centred under them, feed, cut. */
    public static byte[] receipt(Receipt r, boolean chineseMode) {
        Builder b = builder().init();
        if (chineseMode) {
            b.chineseMode();
        }
        for (Receipt.Line line : r.lines()) {
            b.align(line.align()).bold(line.bold()).size(line.size(), line.size()).line(line.text());
        }
        b.bold(false).size(1, 1);
        if (r.qr() != null) {
            b.align(Receipt.Align.CENTER).qr(r.qr(), 6, QrEc.M).newline();
        }
        b.align(Receipt.Align.LEFT).feed(4);
        if (r.cut()) {
            b.cut();
        }
        return b.bytes();
    }

    public static byte[] statusQuery(int n) {
        return new byte[] {DLE, EOT, (byte) n};
    }

    /** DLE EOT 1, 2, 3 and 4 in one write; the printer answers one byte each, in order. */
    public static byte[] statusQueries() {
        return new byte[] {DLE, EOT, 1, DLE, EOT, 2, DLE, EOT, 3, DLE, EOT, 4};
    }

    // ---------------------------------------------------------------- printer to host: status

    /** DLE EOT 3 bit 3 (Epson): the auto-cutter failed; the printer stops until the cause is cleared. */
    public static final String ERROR_CUTTER = "cutter error";
    /** DLE EOT 3 bit 5: e.g. a head or voltage fault; needs the power cycled or service. */
    public static final String ERROR_UNRECOVERABLE = "unrecoverable error";
    /** DLE EOT 3 bit 6: e.g. the print head too hot; clears by itself when it cools. */
    public static final String ERROR_AUTO_RECOVERABLE = "auto-recoverable error (print head too hot?)";
    /** DLE EOT 2 bit 6 with no cause in DLE EOT 3. */
    public static final String ERROR_OTHER = "printer error";

    /** Every DLE EOT reply has bit 1 and bit 4 set and bits 0 and 7 clear; anything else is noise. */
    public static boolean isStatusByte(int b) {
        return (b & 0x93) == 0x12;
    }

    /** Decodes the replies to DLE EOT 1..4. */
    public static PrinterState decodeStatus(int printer, int offline, int error, int paper) {
        for (int b : new int[] {printer, offline, error, paper}) {
            if (!isStatusByte(b)) {
                throw new IllegalArgumentException(String.format("0x%02X is not a DLE EOT status byte", b));
            }
        }
        String err = null;
        if ((error & 0x08) != 0) {
            err = ERROR_CUTTER;
        } else if ((error & 0x20) != 0) {
            err = ERROR_UNRECOVERABLE;
        } else if ((error & 0x40) != 0) {
            err = ERROR_AUTO_RECOVERABLE;
        } else if ((offline & 0x40) != 0) {
            err = ERROR_OTHER;
        }
        return new PrinterState(
                (printer & 0x08) != 0,
                (offline & 0x04) != 0,
                (offline & 0x20) != 0 || (paper & 0x60) != 0,
                (paper & 0x0C) != 0,
                err);
    }

    /** The byte a printer in {@code s} answers to DLE EOT {@code n} (the simulator's side). */
    public static int statusByte(int n, PrinterState s) {
        return 0x12 | switch (n) {
            case STATUS_PRINTER -> s.ready() ? 0 : 0x08;
            case STATUS_OFFLINE -> (s.coverOpen() ? 0x04 : 0) | (s.paperEnd() ? 0x20 : 0) | (s.error() != null ? 0x40 : 0);
            case STATUS_ERROR -> s.error() == null ? 0 : switch (s.error()) {
                case ERROR_CUTTER -> 0x08;
                case ERROR_UNRECOVERABLE -> 0x20;
                case ERROR_AUTO_RECOVERABLE -> 0x40;
                default -> 0; // a cause the printer does not name: only DLE EOT 2 bit 6
            };
            case STATUS_PAPER -> (s.paperNearEnd() || s.paperEnd() ? 0x0C : 0) | (s.paperEnd() ? 0x60 : 0);
            default -> throw new IllegalArgumentException("DLE EOT n must be 1..4, not " + n);
        };
    }

    // ---------------------------------------------------------------- host stream, printer side

    /** One command (or run of text) as the printer understands it. */
    public sealed interface Op {}

    public record Init() implements Op {}

    /** Printable text, decoded from GB18030. */
    public record Text(String text) implements Op {}

    public record LineFeed() implements Op {}

    public record Bold(boolean on) implements Op {}

    /** ESC ! n: bit 3 emphasized, bit 4 double height, bit 5 double width. */
    public record PrintMode(int bits) implements Op {}

    public record Size(int width, int height) implements Op {}

    public record Justify(Receipt.Align align) implements Op {}

    /** ESC d n: feed n lines. */
    public record Feed(int lines) implements Op {}

    /** ESC J n: feed n dots. */
    public record FeedDots(int dots) implements Op {}

    public record Cut(boolean partial) implements Op {}

    public record QrModel(int model) implements Op {}

    public record QrModuleSize(int dots) implements Op {}

    public record QrErrorCorrection(QrEc level) implements Op {}

    public record QrStore(byte[] data) implements Op {}

    public record QrPrint() implements Op {}

    /** GS v 0: a raster bit image, {@code widthBytes} * 8 dots wide, most significant bit left. */
    public record Raster(int widthBytes, int height, byte[] data) implements Op {}

    /** DLE EOT n: a real-time status request, answered at once even while printing is stopped. */
    public record StatusQuery(int n) implements Op {}

    public record ChineseMode(boolean on) implements Op {}

    /** A known command with no effect on the simulated paper (underline, code page, drawer kick, ...). */
    public record Ignored(String command) implements Op {}

    /** What the start of a buffer holds. */
    public sealed interface Decoded {}

    public record Parsed(Op op, int consumed) implements Decoded {}

    public record NeedMore() implements Decoded {}

    public record Skip(int bytes, String reason) implements Decoded {}

    private static final NeedMore MORE = new NeedMore();

    /** Decodes one command or text run from what the host sent, starting at {@code off}. */
    public static Decoded decodeHost(byte[] buf, int off, int len) {
        if (len < 1) {
            return MORE;
        }
        int b0 = buf[off] & 0xFF;
        switch (b0) {
            case 0x0A:
                return new Parsed(new LineFeed(), 1);
            case 0x0D:
                return new Parsed(new Ignored("CR"), 1);
            case 0x09:
                return new Parsed(new Ignored("HT"), 1);
            case 0x1B:
                return esc(buf, off, len);
            case 0x1D:
                return gs(buf, off, len);
            case 0x1C:
                return fs(buf, off, len);
            case 0x10:
                return dle(buf, off, len);
            default:
                break;
        }
        if (b0 < 0x20 || b0 == 0x7F) {
            return new Skip(1, String.format("unknown control byte 0x%02X", b0));
        }
        return text(buf, off, len);
    }

    private static Decoded esc(byte[] buf, int off, int len) {
        if (len < 2) {
            return MORE;
        }
        int c = buf[off + 1] & 0xFF;
        switch (c) {
            case '@':
                return new Parsed(new Init(), 2);
            case '2':
                return new Parsed(new Ignored("ESC 2"), 2);
            case 'p':
                return len < 5 ? MORE : new Parsed(new Ignored("ESC p"), 5);
            default:
                break;
        }
        if (len < 3) {
            return MORE;
        }
        int n = buf[off + 2] & 0xFF;
        return switch (c) {
            case 'E' -> new Parsed(new Bold((n & 1) == 1), 3);
            case '!' -> new Parsed(new PrintMode(n), 3);
            case 'a' -> new Parsed(new Justify(Receipt.Align.values()[Math.min(2, n >= 48 ? n - 48 : n)]), 3);
            case 'd' -> new Parsed(new Feed(n), 3);
            case 'J' -> new Parsed(new FeedDots(n), 3);
            case '-', 'M', 't', '3', 'G', 'R', 'r', 'V', '{', ' ', 'c' -> new Parsed(new Ignored("ESC " + (char) c), 3);
            default -> new Skip(2, String.format("unknown command ESC 0x%02X", c));
        };
    }

    private static Decoded gs(byte[] buf, int off, int len) {
        if (len < 2) {
            return MORE;
        }
        int c = buf[off + 1] & 0xFF;
        switch (c) {
            case '(':
                return gsParen(buf, off, len);
            case 'v':
                return raster(buf, off, len);
            case '8': {
                // GS 8 L p1..p4 (32-bit length) — large graphics data, skipped whole
                if (len < 7) {
                    return MORE;
                }
                long p = (buf[off + 3] & 0xFFL) | (buf[off + 4] & 0xFFL) << 8 | (buf[off + 5] & 0xFFL) << 16
                        | (buf[off + 6] & 0xFFL) << 24;
                return len < 7 + p ? MORE : new Parsed(new Ignored("GS 8 L"), (int) (7 + p));
            }
            case 'L', 'W':
                return len < 4 ? MORE : new Parsed(new Ignored("GS " + (char) c), 4);
            default:
                break;
        }
        if (len < 3) {
            return MORE;
        }
        int n = buf[off + 2] & 0xFF;
        return switch (c) {
            case '!' -> new Parsed(new Size((n >> 4 & 7) + 1, (n & 7) + 1), 3);
            case 'V' -> switch (n) {
                case 0, 48 -> new Parsed(new Cut(false), 3);
                case 1, 49 -> new Parsed(new Cut(true), 3);
                case 65, 66 -> len < 4 ? MORE : new Parsed(new Cut(n == 66), 4);
                default -> new Skip(3, "unknown cut mode " + n);
            };
            case 'B', 'H', 'f', 'h', 'w', 'a', 'r', 'b' -> new Parsed(new Ignored("GS " + (char) c), 3);
            default -> new Skip(2, String.format("unknown command GS 0x%02X", c));
        };
    }

    /** GS ( fn pL pH ...: a length-prefixed command; QR (GS ( k cn=49) is understood, others skipped. */
    private static Decoded gsParen(byte[] buf, int off, int len) {
        if (len < 5) {
            return MORE;
        }
        int fnLetter = buf[off + 2] & 0xFF;
        int p = (buf[off + 3] & 0xFF) | (buf[off + 4] & 0xFF) << 8;
        int total = 5 + p;
        if (len < total) {
            return MORE;
        }
        if (fnLetter != 'k' || p < 2 || (buf[off + 5] & 0xFF) != 49) {
            return new Parsed(new Ignored("GS ( " + (char) fnLetter), total);
        }
        int fn = buf[off + 6] & 0xFF;
        int n1 = p >= 3 ? buf[off + 7] & 0xFF : 0;
        Op op = switch (fn) {
            case 65 -> new QrModel(n1 - 48);
            case 67 -> new QrModuleSize(n1);
            case 69 -> {
                QrEc ec = QrEc.of(n1);
                yield ec == null ? new Ignored("GS ( k QR bad error correction " + n1) : new QrErrorCorrection(ec);
            }
            case 80 -> {
                byte[] data = new byte[Math.max(0, p - 3)];
                System.arraycopy(buf, off + 8, data, 0, data.length);
                yield new QrStore(data);
            }
            case 81 -> new QrPrint();
            default -> new Ignored("GS ( k QR fn " + fn);
        };
        return new Parsed(op, total);
    }

    /** GS v 0 m xL xH yL yH d1..dk. */
    private static Decoded raster(byte[] buf, int off, int len) {
        if (len < 8) {
            return MORE;
        }
        int w = (buf[off + 4] & 0xFF) | (buf[off + 5] & 0xFF) << 8;
        int h = (buf[off + 6] & 0xFF) | (buf[off + 7] & 0xFF) << 8;
        int total = 8 + w * h;
        if (len < total) {
            return MORE;
        }
        byte[] data = new byte[w * h];
        System.arraycopy(buf, off + 8, data, 0, data.length);
        return new Parsed(new Raster(w, h, data), total);
    }

    private static Decoded fs(byte[] buf, int off, int len) {
        if (len < 2) {
            return MORE;
        }
        int c = buf[off + 1] & 0xFF;
        return switch (c) {
            case '&' -> new Parsed(new ChineseMode(true), 2);
            case '.' -> new Parsed(new ChineseMode(false), 2);
            case '!', 'C', 'W', '-' -> len < 3 ? MORE : new Parsed(new Ignored("FS " + (char) c), 3);
            default -> new Skip(2, String.format("unknown command FS 0x%02X", c));
        };
    }

    private static Decoded dle(byte[] buf, int off, int len) {
        if (len < 3) {
            return MORE;
        }
        int c = buf[off + 1] & 0xFF;
        int n = buf[off + 2] & 0xFF;
        if (c == EOT && n >= 1 && n <= 4) {
            return new Parsed(new StatusQuery(n), 3);
        }
        if (c == 0x05) {
            return new Parsed(new Ignored("DLE ENQ"), 3);
        }
        if (c == 0x14) {
            int total = n == 8 ? 7 : n == 1 || n == 2 ? 5 : 3;
            return len < total ? MORE : new Parsed(new Ignored("DLE DC4"), total);
        }
        return new Skip(2, String.format("unknown command DLE 0x%02X 0x%02X", c, n));
    }

    /** A run of printable bytes up to the next control byte, never splitting a GB18030 character. */
    private static Decoded text(byte[] buf, int off, int len) {
        int i = off;
        int end = off + len;
        while (i < end) {
            int b = buf[i] & 0xFF;
            if (b < 0x20 || b == 0x7F) {
                break;
            }
            int charLen = 1;
            if (b >= 0x81 && b <= 0xFE) {
                if (i + 1 >= end) {
                    break;
                }
                int b1 = buf[i + 1] & 0xFF;
                charLen = b1 >= 0x30 && b1 <= 0x39 ? 4 : 2;
            }
            if (i + charLen > end) {
                break;
            }
            i += charLen;
        }
        if (i == off) {
            return MORE; // an incomplete multi-byte character
        }
        return new Parsed(new Text(new String(buf, off, i - off, GB18030)), i - off);
    }

    /** For log lines about unexpected bytes. */
    static String hex(byte[] b, int off, int len) {
        return HexFormat.ofDelimiter(" ").formatHex(b, off, off + Math.min(len, 16)) + (len > 16 ? " ..." : "");
    }
}
