package org.streetgate.ota;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.extension.AnnotatedElementContext;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDirFactory;

/**
 * Puts @TempDir under /dev/shm when it is writable. The OTA code fsyncs every file it stages; on a
 * shared CI disk that dominates the suite's time while proving nothing a kill -9 test can observe.
 */
public final class TmpfsTempDirFactory implements TempDirFactory {
    private static final Path SHM = Path.of("/dev/shm");

    @Override
    public Path createTempDirectory(AnnotatedElementContext element, ExtensionContext context) throws IOException {
        if (Files.isDirectory(SHM) && Files.isWritable(SHM)) {
            return Files.createTempDirectory(SHM, "streetgate-ota-");
        }
        return Files.createTempDirectory("streetgate-ota-");
    }
}
