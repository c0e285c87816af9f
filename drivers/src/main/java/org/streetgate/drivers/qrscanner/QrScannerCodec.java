package org.streetgate.drivers.qrscanner;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Splits a barcode scanner's serial stream into codes. Scanners in serial (keyboard-less) mode send
 * each code followed by a configurable terminator: CR (the usual factory setting), LF, CR LF, or one
 * chosen byte (often TAB). The default, {@code any}, takes CR, LF or CR LF. Pure: bytes in, codes out; one instance per stream since a code may
 * arrive in several reads.
 */
public final class QrScannerCodec {
    /** What came out of the bytes fed so far. */
    public sealed interface Decoded {}

    /** One complete code, as UTF-8 text. */
    public record Code(String code) implements Decoded {}

    /** A code longer than the limit: dropped whole (never truncated into a different valid code). */
    public record Overlong(long bytes) implements Decoded {}

    /**
     * The bytes that end a code.
     *
     * @param bytes one byte, or CR LF; for {@link #ANY}, CR (what a scanner at factory settings sends)
     * @param any   CR, LF or CR LF each end a code: the default, so a scanner set to another line
     *              ending than the profile says still delivers codes
     */
    public record Terminator(byte[] bytes, boolean any) {
        public static final Terminator CR = new Terminator(new byte[] {'\r'});
        public static final Terminator LF = new Terminator(new byte[] {'\n'});
        public static final Terminator CRLF = new Terminator(new byte[] {'\r', '\n'});
        public static final Terminator ANY = new Terminator(new byte[] {'\r'}, true);

        public Terminator {
            if (bytes.length < 1 || bytes.length > 2) {
                throw new IllegalArgumentException("a terminator is one byte or CR LF");
            }
            bytes = bytes.clone();
        }

        public Terminator(byte[] bytes) {
            this(bytes, false);
        }

        /** {@code any}, {@code cr}, {@code lf}, {@code crlf}, {@code tab}, or one byte as {@code 0x03}; null if none of these. */
        public static Terminator parse(String text) {
            String t = text.trim().toLowerCase(Locale.ROOT);
            return switch (t) {
                case "any" -> ANY;
                case "cr" -> CR;
                case "lf" -> LF;
                case "crlf" -> CRLF;
                case "tab" -> new Terminator(new byte[] {'\t'});
                default -> {
                    if (!t.matches("0x[0-9a-f]{1,2}")) {
                        yield null;
                    }
                    yield new Terminator(new byte[] {(byte) Integer.parseInt(t.substring(2), 16)});
                }
            };
        }

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Terminator other && any == other.any && Arrays.equals(bytes, other.bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes) * 2 + (any ? 1 : 0);
        }

        @Override
        public String toString() {
            return any ? "any (CR, LF or CR LF)" : equals(CR) ? "CR" : equals(LF) ? "LF" : equals(CRLF) ? "CRLF"
                    : String.format("0x%02X", bytes[0]);
        }

        /** Whether this is one of the line endings, so stray CR/LF around codes are line noise. */
        boolean lineEnding() {
            return any || equals(CR) || equals(LF) || equals(CRLF);
        }
    }

    /** The default longest line: a QR code holds at most 2953 bytes (version 40, binary, level L). */
    public static final int DEFAULT_MAX_LENGTH = 4096;

    private final Terminator terminator;
    private final int maxLength;
    private final ByteArrayOutputStream current = new ByteArrayOutputStream();
    /** Bytes of the line so far, stored or not; a long that saturates, so no stream makes it wrap. */
    private long currentLength;
    private boolean overlong;

    public QrScannerCodec(Terminator terminator, int maxLength) {
        if (maxLength < 1) {
            throw new IllegalArgumentException("max length must be at least 1");
        }
        this.terminator = terminator;
        this.maxLength = maxLength;
    }

    /**
     * Feeds received bytes; returns the codes (and overlong drops) they completed, in order. A line
     * longer than the maximum is stored no further, counted to its terminator and reported as one
     * {@link Overlong}; an empty line (the LF of a CR LF with {@code any} or {@code cr}) is nothing.
     */
    public List<Decoded> feed(byte[] buf, int off, int len) {
        List<Decoded> out = new ArrayList<>();
        boolean lineEnding = terminator.lineEnding();
        boolean any = terminator.any();
        // CR LF ends at its LF; the CR is dropped like any stray CR or LF around a code.
        byte end = terminator.equals(Terminator.CR) ? (byte) '\r' : lineEnding ? (byte) '\n' : terminator.bytes[0];
        for (int i = off; i < off + len; i++) {
            byte b = buf[i];
            if (b == end || (any && b == '\r')) {
                finish(out);
                continue;
            }
            if (lineEnding && (b == '\r' || b == '\n')) {
                continue; // the other line-ending byte (scanner set to CR LF, profile to CR): not part of a code
            }
            if (currentLength < Long.MAX_VALUE) {
                currentLength++;
            }
            if (currentLength <= maxLength) {
                current.write(b);
            } else {
                overlong = true; // keep counting to the terminator, store no more
            }
        }
        return out;
    }

    private void finish(List<Decoded> out) {
        if (overlong) {
            out.add(new Overlong(currentLength));
        } else if (currentLength > 0) {
            out.add(new Code(current.toString(StandardCharsets.UTF_8)));
        }
        current.reset();
        currentLength = 0;
        overlong = false;
    }

    /** What a scanner sends for {@code code} (the simulator's side). */
    public static byte[] encode(String code, Terminator terminator) {
        byte[] c = code.getBytes(StandardCharsets.UTF_8);
        byte[] out = Arrays.copyOf(c, c.length + terminator.bytes.length);
        System.arraycopy(terminator.bytes, 0, out, c.length, terminator.bytes.length);
        return out;
    }
}
