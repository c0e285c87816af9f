package org.streetgate.profile;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import org.streetgate.drivers.config.Problems;

/**
 * The start-up rule for the files a profile names that hold secrets (password, private key,
 * token): only their owner may have access, as {@code ssh} insists for its keys. A key others on
 * the box can read is as good as published, so the gateway refuses to start and says how to fix it.
 */
public final class SecretFiles {
    private static final Set<PosixFilePermission> GROUP_OR_OTHERS = Set.of(
            PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE,
            PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);
    private static final Set<PosixFilePermission> READ = Set.of(PosixFilePermission.GROUP_READ, PosixFilePermission.OTHERS_READ);

    private SecretFiles() {}

    /**
     * Throws a {@link org.streetgate.drivers.config.ConfigException} with {@code file:line} of the
     * profile for every secret file that group or others may access. A missing file is left to its
     * reader (which reports it, or under {@code --simulate} tolerates it); so is a file system
     * without POSIX permissions.
     */
    public static void check(Profile profile, Path dataDir) {
        Problems problems = new Problems();
        for (Profile.SecretFile secret : profile.secretFiles()) {
            Path file = secret.resolve(dataDir);
            Set<PosixFilePermission> mode;
            try {
                PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
                if (view == null) {
                    continue;
                }
                mode = view.readAttributes().permissions();
            } catch (NoSuchFileException e) {
                continue;
            } catch (IOException e) {
                problems.add(secret.at(), secret.key() + " " + secret.path() + ": cannot read its permissions: " + e.getMessage());
                continue;
            }
            if (mode.stream().anyMatch(GROUP_OR_OTHERS::contains)) {
                String access = mode.stream().anyMatch(READ::contains) ? "readable" : "accessible";
                problems.add(secret.at(), secret.key() + " " + secret.path() + " is " + access + " by group/others (mode "
                        + octal(mode) + "): run chmod 600 " + file);
            }
        }
        problems.throwIfAny();
    }

    /** The mode as {@code ls -l} users know it from chmod, e.g. {@code 0644}. */
    static String octal(Set<PosixFilePermission> mode) {
        int bits = 0;
        for (PosixFilePermission p : mode) {
            bits |= 1 << (8 - p.ordinal()); // OWNER_READ is ordinal 0 and bit 0400
        }
        return String.format("0%03o", bits);
    }
}
