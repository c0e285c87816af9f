package org.streetgate.ota.slots;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.util.EnumSet;
import java.util.Set;
import org.streetgate.ota.BundleException;
import org.streetgate.ota.BundleException.Reason;
import org.streetgate.ota.OtaException;
import org.streetgate.ota.bundle.BundleVerifier;
import org.streetgate.ota.bundle.Manifest;
import org.streetgate.ota.bundle.StoredZip;
import org.streetgate.ota.bundle.VerifiedBundle;
import org.streetgate.ota.util.Durable;
import org.streetgate.ota.util.Faults;
import org.streetgate.ota.util.Hex;

/**
 * Extracts a verified bundle into staging/NAME, fsyncs everything, then renames it into releases/.
 * Hashes are checked again while writing: the bundle file could have changed since it was verified
 * (a USB stick, a technician's laptop share).
 */
public final class Stager {
    private Stager() {
    }

    /**
     * Extract into staging/NAME and rename the result to {@code target} (releases/NAME, or factory/ at
     * provisioning); returns the target's root-relative name.
     */
    public static String stage(InstallRoot root, VerifiedBundle bundle, String name, Path target, Disk disk, long margin) {
        Manifest m = bundle.manifest();
        Path dir = root.staging().resolve(name);
        try {
            long need = m.payloadBytes() + margin;
            long have = disk.usableSpace(root.staging());
            if (have < need) {
                throw new OtaException("not enough free space to stage " + m.version() + ": need " + need
                        + " bytes, have " + have);
            }
            Durable.deleteTree(dir);
            Files.createDirectories(dir);
            try (FileChannel in = FileChannel.open(bundle.file(), StandardOpenOption.READ)) {
                for (Manifest.FileEntry f : m.files()) {
                    extract(in, bundle.payload().get(f.path()), f, dir, disk);
                }
            }
            Path meta = Files.createDirectories(dir.resolve(Manifest.META_DIR));
            Files.write(meta.resolve("manifest.sig"), bundle.signatureBytes());
            // Written last: a release counts as complete only once its manifest exists.
            Files.write(meta.resolve("manifest.json"), bundle.manifestBytes());
            Durable.fsyncTree(dir);
            Faults.point("stage:extracted");
            Durable.deleteTree(target);
            Files.move(dir, target, StandardCopyOption.ATOMIC_MOVE);
            Durable.fsyncDir(target.getParent());
            Durable.fsyncDir(root.staging());
            Faults.point("stage:renamed");
            return root.dir().relativize(target).toString();
        } catch (IOException | RuntimeException e) {
            cleanup(dir);
            if (e instanceof OtaException oe) {
                throw oe;
            }
            if (Disk.isNoSpace(e)) {
                throw new OtaException("disk full while staging " + m.version() + ": " + e.getMessage(), e);
            }
            throw new OtaException("cannot stage " + m.version() + ": " + e.getMessage(), e);
        }
    }

    private static void extract(FileChannel in, StoredZip.Entry entry, Manifest.FileEntry f, Path dir, Disk disk)
            throws IOException {
        Path target = dir.resolve(f.path()).normalize();
        if (!target.startsWith(dir)) { // the manifest check already refuses this; belt and braces
            throw new BundleException(Reason.UNSAFE_PATH, f.path() + ": escapes the release directory");
        }
        Files.createDirectories(target.getParent());
        MessageDigest md = Hex.sha256();
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        try (FileChannel out = FileChannel.open(target, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            long pos = entry.dataOffset();
            long end = pos + f.size();
            while (pos < end) {
                buf.clear().limit((int) Math.min(buf.capacity(), end - pos));
                int n = in.read(buf, pos);
                if (n < 0) {
                    throw new BundleException(Reason.MALFORMED, BundleVerifier.PAYLOAD + f.path() + ": bundle truncated since verification");
                }
                buf.flip();
                disk.beforeWrite(target, n);
                md.update(buf.duplicate());
                while (buf.hasRemaining()) {
                    out.write(buf);
                }
                pos += n;
            }
            out.force(true);
        }
        String actual = Hex.of(md.digest());
        if (!actual.equals(f.sha256())) {
            throw new BundleException(Reason.HASH_MISMATCH, BundleVerifier.PAYLOAD + f.path()
                    + ": changed since verification (manifest " + Hex.shortHash(f.sha256()) + ", now " + Hex.shortHash(actual) + ")");
        }
        // A manifest cannot make a file writable by others or setuid: the mode is masked.
        Files.setPosixFilePermissions(target, permissions(ReleaseCheck.installedMode(f.permissions())));
    }

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        for (PosixFilePermission p : PosixFilePermission.values()) {
            if ((mode & (1 << (8 - p.ordinal()))) != 0) {
                set.add(p);
            }
        }
        return set;
    }

    private static void cleanup(Path dir) {
        try {
            Durable.deleteTree(dir);
        } catch (IOException ignored) {
            // The boot check empties staging/ anyway.
        }
    }
}
