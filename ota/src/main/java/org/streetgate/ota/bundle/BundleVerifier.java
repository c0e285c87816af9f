package org.streetgate.ota.bundle;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.streetgate.ota.BundleException;
import org.streetgate.ota.BundleException.Reason;
import org.streetgate.ota.OtaException;
import org.streetgate.ota.keys.TrustedKeys;
import org.streetgate.ota.util.Hex;

/**
 * Checks a bundle completely before anything is extracted: zip structure, entry names, the manifest
 * signature, then every payload file against its signed size and hash. The order matters: nothing
 * from the manifest is trusted before its signature verifies. No clock is consulted.
 */
public final class BundleVerifier {
    public static final String MANIFEST = "manifest.json";
    public static final String SIGNATURE = "manifest.sig";
    public static final String PAYLOAD = "payload/";
    private static final long MAX_MANIFEST = 1 << 20;
    private static final long MAX_SIGNATURE = 16 << 10;

    private final TrustedKeys trusted;

    public BundleVerifier(TrustedKeys trusted) {
        this.trusted = trusted;
    }

    public VerifiedBundle verify(Path bundle) {
        try (FileChannel ch = FileChannel.open(bundle, StandardOpenOption.READ)) {
            List<StoredZip.Entry> entries = StoredZip.entries(ch);
            Map<String, StoredZip.Entry> byName = new HashMap<>();
            for (StoredZip.Entry e : entries) {
                checkEntryShape(e);
                if (byName.putIfAbsent(e.name(), e) != null) {
                    throw new BundleException(Reason.DUPLICATE_ENTRY, e.name() + ": duplicate entry in the bundle");
                }
            }
            byte[] manifestBytes = readSmall(ch, byName.get(MANIFEST), MANIFEST, MAX_MANIFEST, Reason.MISSING_ENTRY);
            byte[] sigBytes = readSmall(ch, byName.get(SIGNATURE), SIGNATURE, MAX_SIGNATURE, Reason.UNSIGNED);
            String signer = Signatures.verify(manifestBytes, Signatures.parse(sigBytes), trusted);
            Manifest manifest = ManifestCodec.fromJson(manifestBytes);

            Map<String, Manifest.FileEntry> listed = new HashMap<>();
            manifest.files().forEach(f -> listed.put(f.path(), f));
            Map<String, StoredZip.Entry> payload = new HashMap<>();
            for (StoredZip.Entry e : entries) {
                if (e.name().equals(MANIFEST) || e.name().equals(SIGNATURE)) {
                    continue;
                }
                String rel = e.name().startsWith(PAYLOAD) ? e.name().substring(PAYLOAD.length()) : null;
                if (rel == null || !listed.containsKey(rel)) {
                    throw new BundleException(Reason.UNLISTED_ENTRY, e.name() + ": not listed in the manifest");
                }
                payload.put(rel, e);
            }
            for (Manifest.FileEntry f : manifest.files()) {
                StoredZip.Entry e = payload.get(f.path());
                if (e == null) {
                    throw new BundleException(Reason.MISSING_ENTRY, PAYLOAD + f.path() + ": listed in the manifest but missing from the bundle");
                }
                if (e.size() != f.size()) {
                    throw new BundleException(Reason.SIZE_MISMATCH, PAYLOAD + f.path() + ": size mismatch (manifest "
                            + f.size() + ", bundle " + e.size() + ")");
                }
                String actual = sha256(ch, e);
                if (!actual.equals(f.sha256())) {
                    throw hashMismatch(f, actual);
                }
            }
            return new VerifiedBundle(bundle, manifest, manifestBytes, sigBytes, signer, payload);
        } catch (IOException e) {
            throw new OtaException("cannot read bundle " + bundle + ": " + e.getMessage(), e);
        }
    }

    /** An unverified look at a bundle, for {@code ota inspect}. */
    public record Inspection(Manifest manifest, List<Signatures.Line> signers) {
    }

    /** Read a bundle's manifest and signer ids without trusting them: for {@code ota inspect} only. */
    public static Inspection inspect(Path bundle) {
        try (FileChannel ch = FileChannel.open(bundle, StandardOpenOption.READ)) {
            Map<String, StoredZip.Entry> byName = new HashMap<>();
            for (StoredZip.Entry e : StoredZip.entries(ch)) {
                byName.putIfAbsent(e.name(), e);
            }
            byte[] manifest = readSmall(ch, byName.get(MANIFEST), MANIFEST, MAX_MANIFEST, Reason.MISSING_ENTRY);
            StoredZip.Entry sig = byName.get(SIGNATURE);
            List<Signatures.Line> signers = sig == null ? List.of()
                    : Signatures.parse(readSmall(ch, sig, SIGNATURE, MAX_SIGNATURE, Reason.UNSIGNED));
            return new Inspection(ManifestCodec.fromJson(manifest), signers);
        } catch (IOException e) {
            throw new OtaException("cannot read bundle " + bundle + ": " + e.getMessage(), e);
        }
    }

    static BundleException hashMismatch(Manifest.FileEntry f, String actual) {
        return new BundleException(Reason.HASH_MISMATCH, PAYLOAD + f.path() + ": sha256 mismatch (manifest "
                + Hex.shortHash(f.sha256()) + ", bundle " + Hex.shortHash(actual) + ")");
    }

    private static void checkEntryShape(StoredZip.Entry e) {
        String why = Manifest.unsafePathReason(e.name().endsWith("/")
                ? e.name().substring(0, e.name().length() - 1) : e.name());
        if (why != null) {
            throw new BundleException(Reason.UNSAFE_PATH, "entry '" + e.name() + "' " + why);
        }
        if (e.isSymlink()) {
            throw new BundleException(Reason.SYMLINK, e.name() + ": symlinks are not allowed in bundles");
        }
        if (e.isDirectory()) {
            throw new BundleException(Reason.UNLISTED_ENTRY, e.name() + ": directory entries are not allowed in bundles");
        }
        int type = e.unixMode() & StoredZip.S_IFMT;
        if (type != 0 && type != 0100000) {
            throw new BundleException(Reason.MALFORMED, e.name() + ": not a regular file (mode " + Integer.toOctalString(e.unixMode()) + ")");
        }
    }

    private static byte[] readSmall(FileChannel ch, StoredZip.Entry e, String name, long max, Reason missing) throws IOException {
        if (e == null) {
            throw new BundleException(missing, name + ": missing from the bundle");
        }
        if (e.size() > max) {
            throw new BundleException(Reason.MALFORMED, name + ": " + e.size() + " bytes, more than the " + max + " allowed");
        }
        return StoredZip.readAll(ch, e);
    }

    /** Hash exactly the entry's bytes; the size was already matched against the signed manifest. */
    static String sha256(FileChannel ch, StoredZip.Entry e) throws IOException {
        MessageDigest md = Hex.sha256();
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        long pos = e.dataOffset();
        long end = e.dataOffset() + e.size();
        while (pos < end) {
            buf.clear().limit((int) Math.min(buf.capacity(), end - pos));
            int n = ch.read(buf, pos);
            if (n < 0) {
                throw new BundleException(Reason.MALFORMED, e.name() + ": unexpected end of file (truncated)");
            }
            md.update(buf.flip());
            pos += n;
        }
        return Hex.of(md.digest());
    }
}
