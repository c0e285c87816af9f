package org.streetgate.ota.bundle;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.streetgate.ota.BundleException;
import org.streetgate.ota.BundleException.Reason;
import org.streetgate.ota.OtaException;
import org.streetgate.ota.util.Hex;

/** Builds a signed .sgb bundle from a payload directory ({@code ota sign}). */
public final class BundleWriter {
    private BundleWriter() {
    }

    /** The release facts a signer supplies; the file list is taken from the directory. */
    public record Release(String name, String version, long releaseCounter, List<String> compatible, String minAgent) {
    }

    /** A signing key with its public half, which names it in manifest.sig. */
    public record SigningKey(PrivateKey privateKey, PublicKey publicKey) {
    }

    public static Manifest sign(Path payloadDir, Release release, List<SigningKey> keys, Path out) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("at least one signing key is needed");
        }
        try {
            List<Path> files = payloadFiles(payloadDir);
            List<Manifest.FileEntry> entries = new ArrayList<>();
            for (Path f : files) {
                String rel = relative(payloadDir, f);
                entries.add(new Manifest.FileEntry(rel, Hex.of(digest(f)), Files.size(f), modeOf(f)));
            }
            Manifest manifest = new Manifest(Manifest.FORMAT, release.name(), release.version(), release.releaseCounter(),
                    release.compatible(), release.minAgent(), entries);
            byte[] manifestBytes = ManifestCodec.toJson(manifest);
            byte[] sig = Signatures.sign(manifestBytes, keys.stream().map(SigningKey::privateKey).toList(),
                    keys.stream().map(SigningKey::publicKey).toList());
            Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
            try (OutputStream os = Files.newOutputStream(tmp); StoredZipWriter zip = new StoredZipWriter(os)) {
                // manifest first, then signature, then payload: a reader learns everything before the bulk.
                zip.add(BundleVerifier.MANIFEST, manifestBytes, 0100644);
                zip.add(BundleVerifier.SIGNATURE, sig, 0100644);
                for (int i = 0; i < files.size(); i++) {
                    zip.add(BundleVerifier.PAYLOAD + entries.get(i).path(), files.get(i), 0100000 | entries.get(i).permissions());
                }
            }
            Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return manifest;
        } catch (IOException e) {
            throw new OtaException("cannot write bundle " + out + ": " + e.getMessage(), e);
        }
    }

    private static List<Path> payloadFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new BundleException(Reason.MALFORMED, dir + ": not a directory");
        }
        List<Path> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted().toList()) {
                if (Files.isSymbolicLink(p)) {
                    throw new BundleException(Reason.SYMLINK, p + ": symlinks are not allowed in bundles");
                }
                if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
                    files.add(p);
                } else if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                    throw new BundleException(Reason.MALFORMED, p + ": only regular files can go in a bundle");
                }
            }
        }
        // Sorted by the manifest path, not the platform's Path order, so bundles are reproducible.
        files.sort((a, b) -> relative(dir, a).compareTo(relative(dir, b)));
        return files;
    }

    private static String relative(Path dir, Path file) {
        return dir.relativize(file).toString().replace(java.io.File.separatorChar, '/');
    }

    private static byte[] digest(Path f) throws IOException {
        var md = Hex.sha256();
        try (var in = Files.newInputStream(f)) {
            byte[] buf = new byte[64 * 1024];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
        }
        return md.digest();
    }

    private static String modeOf(Path f) throws IOException {
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(f, LinkOption.NOFOLLOW_LINKS);
        int mode = 0;
        for (PosixFilePermission p : perms) {
            mode |= 1 << (8 - p.ordinal());
        }
        return String.format("0%03o", mode);
    }
}
