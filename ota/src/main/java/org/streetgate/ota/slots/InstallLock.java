package org.streetgate.ota.slots;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import org.streetgate.ota.BusyException;
import org.streetgate.ota.OtaException;

/**
 * One install at a time per install root, across processes (agent, technician CLI, boot check): an
 * OS file lock on state/ota.lock. The OS drops it when a process dies, so a crash never leaves it held.
 */
public final class InstallLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private InstallLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    public static InstallLock acquire(Path lockFile, Duration wait) {
        long deadline = System.nanoTime() + wait.toNanos();
        try {
            Files.createDirectories(lockFile.getParent());
            FileChannel ch = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            while (true) {
                FileLock l;
                try {
                    l = ch.tryLock();
                } catch (OverlappingFileLockException e) {
                    l = null; // held by another thread of this JVM
                }
                if (l != null) {
                    return new InstallLock(ch, l);
                }
                if (System.nanoTime() >= deadline) {
                    ch.close();
                    throw new BusyException("another install is in progress (" + lockFile + " is held)");
                }
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    ch.close();
                    throw new OtaException("interrupted while waiting for " + lockFile);
                }
            }
        } catch (IOException e) {
            throw new OtaException("cannot open " + lockFile + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException ignored) {
            // Closing the channel releases the lock anyway.
        }
    }
}
