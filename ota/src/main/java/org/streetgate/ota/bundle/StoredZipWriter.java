package org.streetgate.ota.bundle;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;

/**
 * Writes an uncompressed zip with Unix modes and fixed timestamps, so the same input gives the same
 * bytes. It writes exactly what it is told, duplicates and odd modes included, which lets tests build
 * hostile bundles with the same code that builds good ones.
 */
public final class StoredZipWriter implements Closeable {
    /** 1980-01-01 00:00 in DOS format: reproducible bundles, and no clock in the file. */
    private static final int DOS_DATE = (0 << 9) | (1 << 5) | 1;
    private static final long MAX_SIZE = 0xFFFFFFFEL;

    private final OutputStream out;
    private final ByteArrayOutputStream central = new ByteArrayOutputStream();
    private long offset;
    private int count;

    public StoredZipWriter(OutputStream out) {
        this.out = out;
    }

    /** Add an entry; {@code unixMode} carries the file type bits too (0100644 for a regular file). */
    public void add(String name, byte[] data, int unixMode) throws IOException {
        CRC32 crc = new CRC32();
        crc.update(data);
        long start = offset;
        writeLocal(name, data.length, crc.getValue());
        out.write(data);
        offset += data.length;
        addCentral(name, data.length, crc.getValue(), unixMode, start);
    }

    /** Add a file's content, streamed twice (CRC first) so big payloads never sit in memory. */
    public void add(String name, Path file, int unixMode) throws IOException {
        long size = Files.size(file);
        if (size > MAX_SIZE) {
            throw new IOException(file + " is larger than 4 GiB; bundles do not use zip64");
        }
        CRC32 crc = new CRC32();
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                crc.update(buf, 0, n);
            }
        }
        long start = offset;
        writeLocal(name, size, crc.getValue());
        long copied = 0;
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                out.write(buf, 0, n);
                copied += n;
            }
        }
        if (copied != size) {
            throw new IOException(file + " changed while it was being added");
        }
        offset += size;
        addCentral(name, size, crc.getValue(), unixMode, start);
    }

    private void writeLocal(String name, long size, long crc) throws IOException {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        ByteBuffer h = le(30 + n.length);
        h.putInt(StoredZip.LOCAL_SIG).putShort((short) 20).putShort((short) 0x0800).putShort((short) 0)
                .putShort((short) 0).putShort((short) DOS_DATE).putInt((int) crc).putInt((int) size).putInt((int) size)
                .putShort((short) n.length).putShort((short) 0).put(n);
        out.write(h.array());
        offset += h.capacity();
    }

    private void addCentral(String name, long size, long crc, int unixMode, long localOffset) throws IOException {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        ByteBuffer c = le(46 + n.length);
        c.putInt(StoredZip.CENTRAL_SIG).putShort((short) ((3 << 8) | 20)).putShort((short) 20)
                .putShort((short) 0x0800).putShort((short) 0).putShort((short) 0).putShort((short) DOS_DATE)
                .putInt((int) crc).putInt((int) size).putInt((int) size).putShort((short) n.length)
                .putShort((short) 0).putShort((short) 0).putShort((short) 0).putShort((short) 0)
                .putInt(unixMode << 16).putInt((int) localOffset).put(n);
        central.write(c.array());
        count++;
    }

    @Override
    public void close() throws IOException {
        byte[] cd = central.toByteArray();
        out.write(cd);
        ByteBuffer e = le(22);
        e.putInt(StoredZip.END_SIG).putShort((short) 0).putShort((short) 0).putShort((short) count)
                .putShort((short) count).putInt(cd.length).putInt((int) offset).putShort((short) 0);
        out.write(e.array());
        out.close();
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }
}
