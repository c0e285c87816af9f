package org.streetgate.ota.keys;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import org.streetgate.ota.BundleException;
import org.streetgate.ota.OtaException;
import org.streetgate.ota.util.Hex;

/**
 * Ed25519 signing keys as PEM files: the private key as PKCS#8 (mode 0600 from the moment the file
 * exists), the public key as X.509 SubjectPublicKeyInfo. A key id is the hex SHA-256 of the SPKI bytes.
 */
public final class KeyFiles {
    private static final String PRIVATE_PEM = "PRIVATE KEY";
    private static final String PUBLIC_PEM = "PUBLIC KEY";

    private KeyFiles() {
    }

    /** What {@link #generate} wrote. */
    public record GeneratedKey(Path privateKey, Path publicKey, String keyId, String spkiBase64) {
    }

    /** Generate a key pair and write {@code prefix.key} (0600) and {@code prefix.pub}; refuses to overwrite. */
    public static GeneratedKey generate(Path prefix) {
        Path priv = prefix.resolveSibling(prefix.getFileName() + ".key");
        Path pub = prefix.resolveSibling(prefix.getFileName() + ".pub");
        try {
            if (Files.exists(priv) || Files.exists(pub)) {
                throw new FileAlreadyExistsException(Files.exists(priv) ? priv.toString() : pub.toString());
            }
            KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            // Created with 0600 directly: a chmod after writing would leave a window where others can read it.
            Files.createFile(priv, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(priv, pem(PRIVATE_PEM, pair.getPrivate().getEncoded()), StandardCharsets.US_ASCII);
            byte[] spki = pair.getPublic().getEncoded();
            Files.writeString(pub, pem(PUBLIC_PEM, spki), StandardCharsets.US_ASCII);
            return new GeneratedKey(priv, pub, keyId(spki), Base64.getEncoder().encodeToString(spki));
        } catch (FileAlreadyExistsException e) {
            throw new BundleException(BundleException.Reason.MALFORMED, "refusing to overwrite existing key file " + e.getFile());
        } catch (IOException | GeneralSecurityException e) {
            throw new OtaException("cannot write key files at " + prefix + ": " + e.getMessage(), e);
        }
    }

    public static PrivateKey readPrivate(Path file) {
        byte[] der = readPem(file, PRIVATE_PEM);
        try {
            return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(der));
        } catch (GeneralSecurityException e) {
            throw new BundleException(BundleException.Reason.MALFORMED, file + ": not an Ed25519 private key (" + e.getMessage() + ")");
        }
    }

    /** Parse an SPKI public key; it must be Ed25519. */
    public static PublicKey publicFromSpki(byte[] spki, String where) {
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(spki));
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new BundleException(BundleException.Reason.MALFORMED, where + ": not an Ed25519 public key");
        }
    }

    /** SPKI bytes of a public key file (PEM, or a single base64 line). */
    public static byte[] readPublicSpki(Path file) {
        return readPem(file, PUBLIC_PEM);
    }

    public static String keyId(byte[] spki) {
        return Hex.sha256(spki);
    }

    static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }

    private static byte[] readPem(Path file, String type) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new BundleException(BundleException.Reason.MALFORMED, "cannot read key file " + file + ": " + e.getMessage());
        }
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int b = text.indexOf(begin);
        int e = text.indexOf(end);
        String body = b >= 0 && e > b ? text.substring(b + begin.length(), e) : text;
        try {
            return Base64.getMimeDecoder().decode(body.strip());
        } catch (IllegalArgumentException ex) {
            throw new BundleException(BundleException.Reason.MALFORMED, file + ": not a PEM " + type.toLowerCase() + " file");
        }
    }
}
