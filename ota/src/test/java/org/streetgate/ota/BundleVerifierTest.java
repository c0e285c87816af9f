package org.streetgate.ota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streetgate.ota.BundleException.Reason;
import org.streetgate.ota.TestBundles.Entry;
import org.streetgate.ota.bundle.BundleVerifier;
import org.streetgate.ota.bundle.Manifest;
import org.streetgate.ota.bundle.ManifestCodec;
import org.streetgate.ota.bundle.VerifiedBundle;
import org.streetgate.ota.keys.TrustedKeys;

class BundleVerifierTest {
    @TempDir
    Path tmp;

    final KeyPair key = TestBundles.newKey();
    final Map<String, byte[]> files = TestBundles.payload("2.0.0", "healthy");

    private BundleException refused(Path bundle) {
        return assertThrows(BundleException.class,
                () -> new BundleVerifier(TrustedKeys.of(List.of(key.getPublic()))).verify(bundle));
    }

    private Path good() throws IOException {
        return TestBundles.rawZip(tmp.resolve("good.sgb"),
                TestBundles.signedEntries(key, TestBundles.manifest("2.0.0", 20, files), files));
    }

    @Test
    void signed_bundle_verifies_with_every_file_checked() throws IOException {
        Path b = TestBundles.bundle(tmp, key, "2.0.0", 20, "healthy");
        VerifiedBundle v = new BundleVerifier(TrustedKeys.of(List.of(key.getPublic()))).verify(b);
        assertEquals("2.0.0", v.manifest().version());
        assertEquals(20, v.manifest().releaseCounter());
        assertEquals(3, v.payload().size());
        assertEquals("0755", v.manifest().files().stream().filter(f -> f.path().equals("bin/start.sh")).findFirst().orElseThrow().mode());
    }

    @Test
    void bit_flip_in_payload_is_a_hash_mismatch_naming_the_file() throws IOException {
        Path b = good();
        byte[] bytes = Files.readAllBytes(b);
        int at = TestBundles.indexOf(bytes, "echo streetgate".getBytes(StandardCharsets.UTF_8));
        bytes[at] ^= 0x01;
        Files.write(b, bytes);
        BundleException e = refused(b);
        assertEquals(Reason.HASH_MISMATCH, e.reason());
        assertTrue(e.getMessage().startsWith("payload/bin/start.sh: sha256 mismatch (manifest "), e.getMessage());
    }

    @Test
    void bit_flip_in_manifest_breaks_the_signature() throws IOException {
        Path b = good();
        byte[] bytes = Files.readAllBytes(b);
        int at = TestBundles.indexOf(bytes, "\"2.0.0\"".getBytes(StandardCharsets.UTF_8));
        bytes[at + 1] = '3'; // 2.0.0 -> 3.0.0, still valid JSON
        Files.write(b, bytes);
        BundleException e = refused(b);
        assertEquals(Reason.BAD_SIGNATURE, e.reason());
        assertTrue(e.getMessage().contains("does not verify"), e.getMessage());
    }

    @Test
    void bit_flip_in_signature_is_refused() throws IOException {
        Path b = good();
        byte[] bytes = Files.readAllBytes(b);
        int line = TestBundles.indexOf(bytes, "ed25519 ".getBytes(StandardCharsets.US_ASCII));
        int sigStart = line + "ed25519 ".length() + 64 + 1;
        bytes[sigStart + 10] = (byte) (bytes[sigStart + 10] == 'A' ? 'B' : 'A'); // another valid base64 digit
        Files.write(b, bytes);
        assertEquals(Reason.BAD_SIGNATURE, refused(b).reason());
    }

    @Test
    void truncated_bundle_is_refused_as_malformed() throws IOException {
        Path b = good();
        byte[] bytes = Files.readAllBytes(b);
        for (int cut : new int[] {bytes.length - 1, bytes.length / 2, 10}) {
            Path t = tmp.resolve("cut-" + cut + ".sgb");
            Files.write(t, java.util.Arrays.copyOf(bytes, cut));
            BundleException e = refused(t);
            assertEquals(Reason.MALFORMED, e.reason(), "cut at " + cut);
            assertTrue(e.getMessage().contains("truncated") || e.getMessage().contains("too short"), e.getMessage());
        }
    }

    @Test
    void entry_not_in_the_manifest_is_refused() throws IOException {
        List<Entry> entries = new ArrayList<>(TestBundles.signedEntries(key, TestBundles.manifest("2.0.0", 20, files), files));
        entries.add(Entry.file("payload/bin/backdoor.sh", "nc -l 4444".getBytes(StandardCharsets.UTF_8)));
        BundleException e = refused(TestBundles.rawZip(tmp.resolve("extra.sgb"), entries));
        assertEquals(Reason.UNLISTED_ENTRY, e.reason());
        assertEquals("payload/bin/backdoor.sh: not listed in the manifest", e.getMessage());
    }

    @Test
    void zip_slip_entry_is_refused() throws IOException {
        List<Entry> entries = new ArrayList<>(TestBundles.signedEntries(key, TestBundles.manifest("2.0.0", 20, files), files));
        entries.add(Entry.file("payload/../../etc/cron.d/evil", "* * * * * root sh".getBytes(StandardCharsets.UTF_8)));
        BundleException e = refused(TestBundles.rawZip(tmp.resolve("slip.sgb"), entries));
        assertEquals(Reason.UNSAFE_PATH, e.reason());
        assertTrue(e.getMessage().contains("'..'"), e.getMessage());
    }

    @Test
    void signed_manifest_with_a_climbing_path_is_refused() throws IOException {
        Map<String, byte[]> evil = new LinkedHashMap<>(Map.of("x", "boom".getBytes(StandardCharsets.UTF_8)));
        String json = new String(ManifestCodec.toJson(TestBundles.manifest("2.0.0", 20, evil)), StandardCharsets.UTF_8)
                .replace("\"x\"", "\"../../x\"");
        byte[] m = json.getBytes(StandardCharsets.UTF_8);
        Path b = TestBundles.rawZip(tmp.resolve("slip2.sgb"), List.of(Entry.file("manifest.json", m),
                Entry.file("manifest.sig", TestBundles.sign(m, key)), Entry.file("payload/x", evil.get("x"))));
        assertEquals(Reason.UNSAFE_PATH, refused(b).reason());
    }

    @Test
    void absolute_entry_path_is_refused() throws IOException {
        List<Entry> entries = new ArrayList<>(TestBundles.signedEntries(key, TestBundles.manifest("2.0.0", 20, files), files));
        entries.add(Entry.file("/etc/passwd", "root::0:0".getBytes(StandardCharsets.UTF_8)));
        BundleException e = refused(TestBundles.rawZip(tmp.resolve("abs.sgb"), entries));
        assertEquals(Reason.UNSAFE_PATH, e.reason());
        assertTrue(e.getMessage().contains("absolute"), e.getMessage());
    }

    @Test
    void symlink_entry_is_refused() throws IOException {
        List<Entry> entries = new ArrayList<>();
        for (Entry e : TestBundles.signedEntries(key, TestBundles.manifest("2.0.0", 20, files), files)) {
            // conf/behaviour becomes a symlink to /etc/shadow: same name, same bytes, file type S_IFLNK.
            entries.add(e.name().equals("payload/conf/behaviour") ? new Entry(e.name(), e.data(), 0120777) : e);
        }
        BundleException e = refused(TestBundles.rawZip(tmp.resolve("link.sgb"), entries));
        assertEquals(Reason.SYMLINK, e.reason());
        assertEquals("payload/conf/behaviour: symlinks are not allowed in bundles", e.getMessage());
    }

    @Test
    void duplicate_entry_is_refused() throws IOException {
        List<Entry> entries = new ArrayList<>(TestBundles.signedEntries(key, TestBundles.manifest("2.0.0", 20, files), files));
        entries.add(Entry.file("payload/bin/app.jar", "other content".getBytes(StandardCharsets.UTF_8)));
        BundleException e = refused(TestBundles.rawZip(tmp.resolve("dup.sgb"), entries));
        assertEquals(Reason.DUPLICATE_ENTRY, e.reason());
        assertTrue(e.getMessage().startsWith("payload/bin/app.jar"), e.getMessage());
    }

    @Test
    void file_of_the_wrong_size_is_refused() throws IOException {
        Map<String, byte[]> bigger = new LinkedHashMap<>(files);
        bigger.put("conf/behaviour", "healthy and then some".getBytes(StandardCharsets.UTF_8));
        Path b = TestBundles.rawZip(tmp.resolve("size.sgb"),
                TestBundles.signedEntries(key, TestBundles.manifest("2.0.0", 20, files), bigger));
        BundleException e = refused(b);
        assertEquals(Reason.SIZE_MISMATCH, e.reason());
        assertEquals("payload/conf/behaviour: size mismatch (manifest 7, bundle 21)", e.getMessage());
    }

    @Test
    void listed_file_missing_from_the_bundle_is_refused() throws IOException {
        Map<String, byte[]> fewer = new LinkedHashMap<>(files);
        fewer.remove("bin/app.jar");
        Path b = TestBundles.rawZip(tmp.resolve("missing.sgb"),
                TestBundles.signedEntries(key, TestBundles.manifest("2.0.0", 20, files), fewer));
        assertEquals(Reason.MISSING_ENTRY, refused(b).reason());
    }

    @Test
    void bundle_signed_by_an_unknown_key_is_refused() throws IOException {
        Path b = TestBundles.bundle(tmp, TestBundles.newKey(), "2.0.0", 20, "healthy");
        BundleException e = refused(b);
        assertEquals(Reason.UNKNOWN_KEY, e.reason());
        assertTrue(e.getMessage().contains("unknown key"), e.getMessage());
    }

    @Test
    void bundle_without_signature_is_refused() throws IOException {
        List<Entry> entries = new ArrayList<>(TestBundles.signedEntries(key, TestBundles.manifest("2.0.0", 20, files), files));
        entries.removeIf(e -> e.name().equals("manifest.sig"));
        assertEquals(Reason.UNSIGNED, refused(TestBundles.rawZip(tmp.resolve("unsigned.sgb"), entries)).reason());
    }

    @Test
    void compressed_zip_is_refused() throws IOException {
        Path b = tmp.resolve("deflated.sgb");
        try (OutputStream os = Files.newOutputStream(b); ZipOutputStream zip = new ZipOutputStream(os)) {
            for (Entry e : TestBundles.signedEntries(key, TestBundles.manifest("2.0.0", 20, files), files)) {
                zip.putNextEntry(new ZipEntry(e.name()));
                zip.write(e.data());
                zip.closeEntry();
            }
        }
        BundleException e = refused(b);
        assertEquals(Reason.MALFORMED, e.reason());
        assertTrue(e.getMessage().contains("compressed"), e.getMessage());
    }

    @Test
    void any_of_several_trusted_keys_verifies_for_rotation() throws IOException {
        KeyPair newKey = TestBundles.newKey();
        Path oldSigned = TestBundles.bundle(tmp, key, "2.0.0", 20, "healthy");
        Path newSigned = TestBundles.bundle(tmp, newKey, "2.0.1", 21, "healthy");
        BundleVerifier both = new BundleVerifier(TrustedKeys.of(List.of(key.getPublic(), newKey.getPublic())));
        assertEquals("2.0.0", both.verify(oldSigned).manifest().version());
        assertEquals("2.0.1", both.verify(newSigned).manifest().version());
        BundleVerifier onlyNew = new BundleVerifier(TrustedKeys.of(List.of(newKey.getPublic())));
        assertEquals(Reason.UNKNOWN_KEY, assertThrows(BundleException.class, () -> onlyNew.verify(oldSigned)).reason());
    }

    @Test
    void bundle_signed_by_old_and_new_key_verifies_on_a_gateway_trusting_either() throws IOException {
        KeyPair newKey = TestBundles.newKey();
        Manifest m = TestBundles.manifest("2.0.0", 20, files);
        byte[] json = ManifestCodec.toJson(m);
        List<Entry> entries = new ArrayList<>();
        entries.add(Entry.file("manifest.json", json));
        entries.add(Entry.file("manifest.sig", TestBundles.sign(json, key, newKey)));
        files.forEach((p, d) -> entries.add(Entry.file("payload/" + p, d)));
        Path b = TestBundles.rawZip(tmp.resolve("dual.sgb"), entries);
        assertEquals(newKey.getPublic(), TrustedKeys.of(List.of(newKey.getPublic())).find(
                new BundleVerifier(TrustedKeys.of(List.of(newKey.getPublic()))).verify(b).signerKeyId()).orElseThrow());
        assertEquals(20, new BundleVerifier(TrustedKeys.of(List.of(key.getPublic()))).verify(b).manifest().releaseCounter());
    }

    @Test
    void no_trusted_keys_refuses_everything() throws IOException {
        Path b = good();
        BundleException e = assertThrows(BundleException.class, () -> new BundleVerifier(TrustedKeys.of(List.of())).verify(b));
        assertEquals(Reason.UNKNOWN_KEY, e.reason());
    }

    @Test
    void local_header_naming_another_file_than_the_central_directory_is_refused() throws IOException {
        Path b = good();
        byte[] bytes = Files.readAllBytes(b);
        int local = TestBundles.indexOf(bytes, "payload/bin/app.jar".getBytes(StandardCharsets.UTF_8)); // local header first
        bytes[local + "payload/bin/app.ja".length()] = 'z';
        Files.write(b, bytes);
        BundleException e = refused(b);
        assertEquals(Reason.MALFORMED, e.reason());
        assertEquals("payload/bin/app.jar: local header names a different file (payload/bin/app.jaz)", e.getMessage());
    }

    @Test
    void manifest_with_unknown_fields_is_refused_even_when_signed() throws IOException {
        String json = new String(ManifestCodec.toJson(TestBundles.manifest("2.0.0", 20, files)), StandardCharsets.UTF_8)
                .replaceFirst("\\{", "{\"expires\": \"2099-01-01\",");
        byte[] m = json.getBytes(StandardCharsets.UTF_8);
        List<Entry> entries = new ArrayList<>(List.of(Entry.file("manifest.json", m), Entry.file("manifest.sig", TestBundles.sign(m, key))));
        files.forEach((p, d) -> entries.add(Entry.file("payload/" + p, d)));
        BundleException e = refused(TestBundles.rawZip(tmp.resolve("fields.sgb"), entries));
        assertEquals(Reason.MALFORMED, e.reason());
        assertTrue(e.getMessage().contains("expires"), e.getMessage());
    }

    /** An end record whose central directory claims {@code cdSize} bytes from offset 0: a sparse file that large. */
    private Path hugeDirectoryClaim(String name, long cdSize) throws IOException {
        Path p = tmp.resolve(name);
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, StandardOpenOption.SPARSE)) {
            ByteBuffer eocd = ByteBuffer.allocate(22).order(ByteOrder.LITTLE_ENDIAN)
                    .putInt(0x06054b50)        // end of central directory signature
                    .putShort((short) 0)       // this disk
                    .putShort((short) 0)       // disk with the central directory
                    .putShort((short) 1)       // entries on this disk
                    .putShort((short) 1)       // entries in total
                    .putInt((int) cdSize)      // central directory size: the whole file before this record
                    .putInt(0)                 // central directory offset
                    .putShort((short) 0);      // comment length
            ch.write(eocd.flip(), cdSize);
        }
        return p;
    }

    @Test
    void unsigned_bundle_claiming_a_3_gib_central_directory_is_malformed_not_a_crash() throws IOException {
        BundleException e = refused(hugeDirectoryClaim("huge.sgb", 3L << 30));
        assertEquals(Reason.MALFORMED, e.reason());
        assertTrue(e.getMessage().startsWith("central directory of 3221225472 bytes is larger than"), e.getMessage());
    }

    @Test
    void central_directory_claim_is_refused_before_it_is_allocated() throws IOException {
        Path b = hugeDirectoryClaim("big.sgb", 200L << 20);
        var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        BundleException e = refused(b);
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertEquals(Reason.MALFORMED, e.reason());
        assertTrue(allocated < 8L << 20, "verifying a 200 MiB claim allocated " + allocated + " bytes");
    }

    @Test
    void end_record_claiming_more_entries_than_its_directory_can_hold_is_malformed() throws IOException {
        Path b = good();
        byte[] bytes = Files.readAllBytes(b);
        int eocd = bytes.length - 22;
        bytes[eocd + 8] = bytes[eocd + 10] = (byte) 0xFE; // 65534 entries
        bytes[eocd + 9] = bytes[eocd + 11] = (byte) 0xFF;
        Files.write(b, bytes);
        BundleException e = refused(b);
        assertEquals(Reason.MALFORMED, e.reason());
        assertTrue(e.getMessage().contains("claims 65534 entries"), e.getMessage());
    }
}
