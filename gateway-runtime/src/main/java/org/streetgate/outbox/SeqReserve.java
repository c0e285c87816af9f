package org.streetgate.outbox;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * A seq high-water mark kept beside the database, so that seq can continue above every number ever
 * used even when the database itself is lost (corrupt, or deleted by hand). Numbers are reserved in
 * blocks, written before the first record of a block commits: one small fsync per block.
 */
final class SeqReserve {
    static final long BLOCK = 100_000;
    private final Path file;
    private long reserved;

    SeqReserve(Path dbFile) {
        this.file = Path.of(dbFile + ".seq");
        this.reserved = read();
    }

    Path file() {
        return file;
    }

    /** The highest seq that may have been used; 0 when unknown. */
    long reserved() {
        return reserved;
    }

    private long read() {
        try {
            return Long.parseLong(Files.readString(file, StandardCharsets.US_ASCII).trim());
        } catch (IOException | NumberFormatException e) {
            return 0;
        }
    }

    /** Makes sure every seq up to {@code seq} is covered, reserving the next block if needed. */
    void cover(long seq) throws IOException {
        if (seq <= reserved) {
            return;
        }
        long next = seq + BLOCK;
        Path tmp = Path.of(file + ".tmp");
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(ByteBuffer.wrap((next + "\n").getBytes(StandardCharsets.US_ASCII)));
            ch.force(true);
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        Path dir = file.toAbsolutePath().getParent();
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException ignored) {
            // some filesystems refuse to open directories; the rename is still atomic
        }
        reserved = next;
    }
}
