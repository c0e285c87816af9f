package org.streetgate.ota.slots;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The two things OTA asks of the filesystem besides reading and writing: how much space is left, and
 * a hook before each chunk written to a download or a staged file. The real disk's hook does nothing;
 * tests pass a disk whose hook throws "No space left on device" after a byte budget, which is how a
 * full SD card behaves mid-write.
 */
public interface Disk {
    long usableSpace(Path dir) throws IOException;

    void beforeWrite(Path file, long bytes) throws IOException;

    Disk REAL = new Disk() {
        @Override
        public long usableSpace(Path dir) throws IOException {
            return Files.getFileStore(dir).getUsableSpace();
        }

        @Override
        public void beforeWrite(Path file, long bytes) {
        }
    };

    /** True when an I/O failure means the disk is full; such failures are not retried. */
    static boolean isNoSpace(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && t.getMessage().contains("No space left on device")) {
                return true;
            }
        }
        return false;
    }
}
