package org.streetgate.ota;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.streetgate.ota.bundle.BundleWriter;
import org.streetgate.ota.bundle.Manifest;
import org.streetgate.ota.bundle.ManifestCodec;
import org.streetgate.ota.bundle.Signatures;
import org.streetgate.ota.bundle.StoredZipWriter;
import org.streetgate.ota.util.Hex;

/** Builds good and hostile bundles for tests. */
final class TestBundles {
    static final String MODEL = "kiosk";

    private TestBundles() {
    }

    static KeyPair newKey() {
        try {
            return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String spki(KeyPair k) {
        return Base64.getEncoder().encodeToString(k.getPublic().getEncoded());
    }

    /** The payload of a fake release: a jar, a start script and a behaviour file the fake gateway obeys. */
    static Map<String, byte[]> payload(String version, String behaviour) {
        return payload(version, behaviour, 4096);
    }

    static Map<String, byte[]> payload(String version, String behaviour, int jarSize) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        byte[] jar = new byte[jarSize + version.length()];
        for (int i = 0; i < jar.length; i++) {
            jar[i] = (byte) (i * 31 + version.hashCode());
        }
        files.put("bin/app.jar", jar);
        files.put("bin/start.sh", ("#!/bin/sh\necho streetgate " + version + "\n").getBytes(StandardCharsets.UTF_8));
        files.put("conf/behaviour", behaviour.getBytes(StandardCharsets.UTF_8));
        return files;
    }

    /** Write files into a directory, making *.sh executable. */
    static Path writeDir(Path dir, Map<String, byte[]> files) throws IOException {
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            Path p = dir.resolve(f.getKey());
            Files.createDirectories(p.getParent());
            Files.write(p, f.getValue());
            Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(f.getKey().endsWith(".sh") ? "rwxr-xr-x" : "rw-r--r--"));
        }
        return dir;
    }

    /** A well-formed signed bundle via the real signer. */
    static Path bundle(Path work, KeyPair key, String version, long counter, String behaviour, String... models) throws IOException {
        return bundle(work, key, version, counter, payload(version, behaviour), models);
    }

    static Path bundle(Path work, KeyPair key, String version, long counter, Map<String, byte[]> payload, String... models)
            throws IOException {
        Path dir = writeDir(Files.createTempDirectory(work, "payload-"), payload);
        Path out = work.resolve("streetgate-" + version + "-" + counter + "-" + System.nanoTime() + ".sgb");
        BundleWriter.sign(dir, new BundleWriter.Release("streetgate", version, counter,
                models.length == 0 ? List.of(MODEL) : List.of(models), "1.0.0"),
                List.of(new BundleWriter.SigningKey(key.getPrivate(), key.getPublic())), out);
        return out;
    }

    static Manifest manifest(String version, long counter, Map<String, byte[]> files) {
        List<Manifest.FileEntry> entries = new ArrayList<>();
        files.forEach((path, data) -> entries.add(new Manifest.FileEntry(path, Hex.sha256(data), data.length, "0644")));
        return new Manifest(Manifest.FORMAT, "streetgate", version, counter, List.of(MODEL), "1.0.0", entries);
    }

    static byte[] sign(byte[] manifestJson, KeyPair... keys) {
        List<java.security.PrivateKey> priv = new ArrayList<>();
        List<java.security.PublicKey> pub = new ArrayList<>();
        for (KeyPair k : keys) {
            priv.add(k.getPrivate());
            pub.add(k.getPublic());
        }
        return Signatures.sign(manifestJson, priv, pub);
    }

    /** One zip entry of a hand-built bundle. */
    record Entry(String name, byte[] data, int mode) {
        static Entry file(String name, byte[] data) {
            return new Entry(name, data, 0100644);
        }
    }

    /** Write a zip exactly as listed: duplicates, symlinks and stray entries included. */
    static Path rawZip(Path out, List<Entry> entries) throws IOException {
        try (OutputStream os = Files.newOutputStream(out); StoredZipWriter zip = new StoredZipWriter(os)) {
            for (Entry e : entries) {
                zip.add(e.name(), e.data(), e.mode());
            }
        }
        return out;
    }

    /** Manifest + signature + payload entries for {@code files}, to be tampered with by the caller. */
    static List<Entry> signedEntries(KeyPair key, Manifest m, Map<String, byte[]> files) {
        byte[] json = ManifestCodec.toJson(m);
        List<Entry> entries = new ArrayList<>();
        entries.add(Entry.file("manifest.json", json));
        entries.add(Entry.file("manifest.sig", sign(json, key)));
        files.forEach((path, data) -> entries.add(Entry.file("payload/" + path, data)));
        return entries;
    }

    /** Position of {@code needle} in the file, or fail. */
    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("pattern not found in bundle");
    }
}
