package org.streetgate.ota.bundle;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.streetgate.ota.BundleException;
import org.streetgate.ota.BundleException.Reason;

/**
 * Reads the structure of an uncompressed (STORED) zip from its central directory, cross-checked
 * against every local header. Written by hand rather than with java.util.zip because we need what
 * the JDK hides: Unix file types (symlinks), duplicate names, and local headers that disagree with
 * the central directory. No zip64: bundles are below 4 GiB.
 */
public final class StoredZip {
    static final int LOCAL_SIG = 0x04034b50;
    static final int CENTRAL_SIG = 0x02014b50;
    static final int END_SIG = 0x06054b50;
    static final int S_IFMT = 0170000;
    static final int S_IFLNK = 0120000;
    static final int S_IFDIR = 0040000;
    /**
     * Largest central directory read into memory. 65535 entries with 200-byte names fit in 16 MiB; a
     * bigger claim is refused before anything is allocated, whatever the file's size.
     */
    public static final long MAX_CENTRAL_DIRECTORY = 16L << 20;
    /** Fixed part of a central directory record: the least an entry can take. */
    static final int CENTRAL_RECORD = 46;

    private StoredZip() {
    }

    /** One entry: where its bytes are and what the central directory says about it. */
    public record Entry(String name, long dataOffset, long size, int method, int unixMode, long localHeaderOffset) {
        public boolean isSymlink() {
            return (unixMode & S_IFMT) == S_IFLNK;
        }

        public boolean isDirectory() {
            return (unixMode & S_IFMT) == S_IFDIR || name.endsWith("/");
        }
    }

    /** All entries in central-directory order (duplicates included, so callers can reject them). */
    public static List<Entry> entries(FileChannel ch) throws IOException {
        long fileSize = ch.size();
        if (fileSize < 22) {
            throw malformed("file is too short to be a bundle (" + fileSize + " bytes)");
        }
        int tail = (int) Math.min(fileSize, 22 + 65535);
        ByteBuffer end = read(ch, fileSize - tail, tail);
        int eocd = -1;
        for (int i = tail - 22; i >= 0; i--) {
            if (end.getInt(i) == END_SIG) {
                eocd = i;
                break;
            }
        }
        if (eocd < 0) {
            throw malformed("no zip end record: the bundle is truncated or not a zip");
        }
        int entryCount = Short.toUnsignedInt(end.getShort(eocd + 10));
        long cdSize = Integer.toUnsignedLong(end.getInt(eocd + 12));
        long cdOffset = Integer.toUnsignedLong(end.getInt(eocd + 16));
        int commentLength = Short.toUnsignedInt(end.getShort(eocd + 20));
        long eocdPos = fileSize - tail + eocd;
        if (end.getShort(eocd + 4) != 0 || end.getShort(eocd + 6) != 0
                || Short.toUnsignedInt(end.getShort(eocd + 8)) != entryCount) {
            throw malformed("multi-disk zips are not bundles");
        }
        if (entryCount == 0xFFFF || cdOffset == 0xFFFFFFFFL) {
            throw malformed("zip64 is not supported in bundles");
        }
        if (eocdPos + 22 + commentLength != fileSize) {
            throw malformed("bytes after the zip end record: the bundle is truncated or has trailing data");
        }
        if (cdOffset + cdSize != eocdPos) {
            throw malformed("central directory does not end where the end record starts: the bundle is damaged");
        }
        // Every allocation below is bounded by the real file (cdSize <= fileSize, checked just above)
        // and by an absolute cap, before a single signature has been checked.
        if (cdSize > MAX_CENTRAL_DIRECTORY) {
            throw malformed("central directory of " + cdSize + " bytes is larger than the " + MAX_CENTRAL_DIRECTORY
                    + " bytes a bundle may have");
        }
        if ((long) entryCount * CENTRAL_RECORD > cdSize) {
            throw malformed("end record claims " + entryCount + " entries but the central directory has only "
                    + cdSize + " bytes");
        }
        ByteBuffer cd = read(ch, cdOffset, Math.toIntExact(cdSize));
        List<Entry> entries = new ArrayList<>();
        int p = 0;
        for (int i = 0; i < entryCount; i++) {
            if (p + 46 > cd.limit() || cd.getInt(p) != CENTRAL_SIG) {
                throw malformed("central directory entry " + i + " is damaged");
            }
            int madeBy = Short.toUnsignedInt(cd.getShort(p + 4));
            int flags = Short.toUnsignedInt(cd.getShort(p + 8));
            int method = Short.toUnsignedInt(cd.getShort(p + 10));
            long compressed = Integer.toUnsignedLong(cd.getInt(p + 20));
            long size = Integer.toUnsignedLong(cd.getInt(p + 24));
            int nameLen = Short.toUnsignedInt(cd.getShort(p + 28));
            int extraLen = Short.toUnsignedInt(cd.getShort(p + 30));
            int commentLen = Short.toUnsignedInt(cd.getShort(p + 32));
            long external = Integer.toUnsignedLong(cd.getInt(p + 38));
            long localOffset = Integer.toUnsignedLong(cd.getInt(p + 42));
            if (p + 46 + nameLen + extraLen + commentLen > cd.limit()) {
                throw malformed("central directory entry " + i + " runs past the directory");
            }
            String name = utf8(cd, p + 46, nameLen);
            if ((flags & 1) != 0) {
                throw malformed(name + ": encrypted entries are not allowed");
            }
            if (method != 0 || compressed != size) {
                throw malformed(name + ": compressed entry (bundles are uncompressed zips)");
            }
            int unixMode = (madeBy >> 8) == 3 ? (int) (external >>> 16) : 0;
            long dataOffset = checkLocalHeader(ch, name, localOffset, cdOffset, size);
            entries.add(new Entry(name, dataOffset, size, method, unixMode, localOffset));
            p += 46 + nameLen + extraLen + commentLen;
        }
        // Entries must not share bytes: overlapping entries are how zip bombs and parser confusion work.
        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort(Comparator.comparingLong(Entry::localHeaderOffset));
        for (int i = 1; i < byOffset.size(); i++) {
            Entry prev = byOffset.get(i - 1);
            if (prev.dataOffset() + prev.size() > byOffset.get(i).localHeaderOffset()) {
                throw malformed(byOffset.get(i).name() + ": overlaps entry " + prev.name());
            }
        }
        return entries;
    }

    /** Read exactly {@code length} bytes of an entry; callers bound the length first. */
    public static byte[] readAll(FileChannel ch, Entry e) throws IOException {
        return read(ch, e.dataOffset(), Math.toIntExact(e.size())).array();
    }

    private static long checkLocalHeader(FileChannel ch, String name, long offset, long cdOffset, long size)
            throws IOException {
        if (offset + 30 > cdOffset) {
            throw malformed(name + ": local header outside the bundle data");
        }
        ByteBuffer h = read(ch, offset, 30);
        if (h.getInt(0) != LOCAL_SIG) {
            throw malformed(name + ": local header is damaged");
        }
        int nameLen = Short.toUnsignedInt(h.getShort(26));
        int extraLen = Short.toUnsignedInt(h.getShort(28));
        if (offset + 30 + nameLen > cdOffset) {
            throw malformed(name + ": local header outside the bundle data");
        }
        String localName = utf8(read(ch, offset + 30, nameLen), 0, nameLen);
        if (!localName.equals(name)) {
            throw malformed(name + ": local header names a different file (" + localName + ")");
        }
        long data = offset + 30 + nameLen + extraLen;
        if (data + size > cdOffset) {
            throw malformed(name + ": data runs past the end of the bundle data (truncated?)");
        }
        return data;
    }

    private static ByteBuffer read(FileChannel ch, long position, int length) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        while (buf.hasRemaining()) {
            if (ch.read(buf, position + buf.position()) < 0) {
                throw malformed("unexpected end of file: the bundle is truncated");
            }
        }
        return buf.flip().order(ByteOrder.LITTLE_ENDIAN);
    }

    private static String utf8(ByteBuffer buf, int from, int length) {
        ByteBuffer slice = buf.duplicate().position(from).limit(from + length);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(slice).toString();
        } catch (CharacterCodingException e) {
            throw malformed("an entry name is not valid UTF-8");
        }
    }

    private static BundleException malformed(String message) {
        return new BundleException(Reason.MALFORMED, message);
    }
}
