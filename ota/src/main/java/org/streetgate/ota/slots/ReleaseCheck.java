package org.streetgate.ota.slots;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.streetgate.ota.OtaException;
import org.streetgate.ota.bundle.Manifest;
import org.streetgate.ota.util.Hex;

/**
 * Re-verifies an installed release against the manifest it was installed with, before it is started:
 * every listed file present, a regular file, of its size, hash and (masked) mode; nothing unlisted
 * (a jar dropped into lib/ would be on the classpath), no symlinks. The boot check runs it on the
 * release it is about to start, so a release edited after install does not boot.
 */
public final class ReleaseCheck {
    /** Installed files are never group- or world-writable, never setuid, setgid or sticky. */
    public static final int MODE_MASK = 0755;

    private ReleaseCheck() {
    }

    /** The mode a file listed with {@code manifestMode} is installed with. */
    public static int installedMode(int manifestMode) {
        return manifestMode & MODE_MASK;
    }

    /** Why {@code release} does not match its manifest, or null when it matches. */
    public static String problem(InstallRoot root, String release) {
        Path dir = root.resolve(release);
        Manifest m;
        try {
            m = root.manifestOf(release);
        } catch (OtaException e) {
            return "its manifest is unreadable: " + e.getMessage();
        }
        Map<String, Manifest.FileEntry> listed = new HashMap<>();
        m.files().forEach(f -> listed.put(f.path(), f));
        try {
            String[] found = {null};
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path p, BasicFileAttributes attrs) throws IOException {
                    String rel = dir.relativize(p).toString();
                    String why = checkFile(p, rel, attrs, listed.get(rel));
                    if (why != null) {
                        found[0] = why;
                        return FileVisitResult.TERMINATE;
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
            if (found[0] != null) {
                return found[0];
            }
            for (Manifest.FileEntry f : m.files()) {
                if (!Files.exists(dir.resolve(f.path()), LinkOption.NOFOLLOW_LINKS)) {
                    return f.path() + ": listed in the manifest but missing";
                }
            }
        } catch (IOException e) {
            return "cannot read it: " + e.getMessage();
        }
        return null;
    }

    private static String checkFile(Path p, String rel, BasicFileAttributes attrs, Manifest.FileEntry f) throws IOException {
        if (rel.equals(Manifest.META_DIR + "/manifest.json") || rel.equals(Manifest.META_DIR + "/manifest.sig")) {
            return null;
        }
        if (attrs.isSymbolicLink()) {
            return rel + ": a symlink, not part of the release";
        }
        if (f == null) {
            return rel + ": not listed in the manifest";
        }
        if (!attrs.isRegularFile()) {
            return rel + ": not a regular file";
        }
        if (attrs.size() != f.size()) {
            return rel + ": size " + attrs.size() + " differs from the manifest's " + f.size();
        }
        int mode = modeOf(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
        int expected = installedMode(f.permissions());
        if (mode != expected) {
            return rel + ": mode " + String.format("%04o", mode) + " differs from the installed " + String.format("%04o", expected);
        }
        MessageDigest md = Hex.sha256();
        try (InputStream in = Files.newInputStream(p, LinkOption.NOFOLLOW_LINKS)) {
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        String actual = Hex.of(md.digest());
        if (!actual.equals(f.sha256())) {
            return rel + ": sha256 " + Hex.shortHash(actual) + " differs from the manifest's " + Hex.shortHash(f.sha256());
        }
        return null;
    }

    static int modeOf(Set<PosixFilePermission> perms) {
        int mode = 0;
        for (PosixFilePermission p : perms) {
            mode |= 1 << (8 - p.ordinal());
        }
        return mode;
    }
}
