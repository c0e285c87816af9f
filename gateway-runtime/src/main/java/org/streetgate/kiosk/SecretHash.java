package org.streetgate.kiosk;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Salted PBKDF2-HMAC-SHA256 hashes of pickup codes and PINs, in one text format anyone can make
 * without StreetGate: {@code pbkdf2-sha256$<iterations>$<salt base64>$<hash base64>} (standard
 * base64, padding optional, 32-byte hash). For example, in Python 3:
 * <pre>
 * import hashlib, os, base64
 * salt = os.urandom(16); it = 100000
 * h = hashlib.pbkdf2_hmac('sha256', b'246810', salt, it)
 * print(f"pbkdf2-sha256${it}${base64.b64encode(salt).decode()}${base64.b64encode(h).decode()}")
 * </pre>
 * Secrets never leave this class in clear: {@link #toString()} of a hash is the hash text.
 */
public record SecretHash(int iterations, byte[] salt, byte[] hash) {
    public static final String PREFIX = "pbkdf2-sha256";
    private static final SecureRandom RANDOM = new SecureRandom();

    public SecretHash {
        if (iterations < 1 || iterations > 10_000_000) {
            throw new IllegalArgumentException("iterations must be 1..10000000, not " + iterations);
        }
        if (salt.length < 8) {
            throw new IllegalArgumentException("salt must be at least 8 bytes");
        }
        if (hash.length != 32) {
            throw new IllegalArgumentException("hash must be 32 bytes (SHA-256), not " + hash.length);
        }
        salt = salt.clone();
        hash = hash.clone();
    }

    /** Hashes {@code secret} with a fresh 16-byte salt. */
    public static SecretHash of(String secret, int iterations) {
        byte[] salt = new byte[16];
        RANDOM.nextBytes(salt);
        return new SecretHash(iterations, salt, derive(secret, salt, iterations));
    }

    /**
     * Parses the text format; throws {@link IllegalArgumentException} with a message that never quotes
     * the text (it might be a secret pasted into the wrong field).
     */
    public static SecretHash parse(String text) {
        String[] parts = text.strip().split("\\$");
        if (parts.length != 4 || !parts[0].equals(PREFIX)) {
            throw new IllegalArgumentException("a hash must look like " + PREFIX + "$<iterations>$<salt>$<hash>");
        }
        int iterations;
        try {
            iterations = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("hash iterations must be a whole number");
        }
        try {
            return new SecretHash(iterations, Base64.getDecoder().decode(parts[2]), Base64.getDecoder().decode(parts[3]));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad hash: " + e.getMessage().replaceAll("[^ -~]", "?"));
        }
    }

    /** Whether {@code secret} hashes to this, compared in constant time. */
    public boolean matches(String secret) {
        return MessageDigest.isEqual(hash, derive(secret, salt, iterations));
    }

    public String text() {
        return PREFIX + "$" + iterations + "$" + Base64.getEncoder().encodeToString(salt) + "$"
                + Base64.getEncoder().encodeToString(hash);
    }

    @Override
    public String toString() {
        return text();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SecretHash h && h.iterations == iterations && MessageDigest.isEqual(h.salt, salt)
                && MessageDigest.isEqual(h.hash, hash);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(hash);
    }

    @Override
    public byte[] salt() {
        return salt.clone();
    }

    @Override
    public byte[] hash() {
        return hash.clone();
    }

    private static byte[] derive(String secret, byte[] salt, int iterations) {
        char[] chars = secret.toCharArray();
        try {
            // PBEKeySpec takes chars and the JDK's PBKDF2 encodes them as UTF-8, as Python's bytes do for ASCII.
            PBEKeySpec spec = new PBEKeySpec(chars, salt, iterations, 256);
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is not available", e);
        } finally {
            java.util.Arrays.fill(chars, '\0');
        }
    }

    /** Makes a hash on the command line: {@code java -cp ... org.streetgate.kiosk.SecretHash [iterations]}, PIN on stdin. */
    public static void main(String[] args) throws java.io.IOException {
        int iterations = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        String secret;
        java.io.Console console = System.console();
        if (console != null) {
            secret = new String(console.readPassword("PIN or code: "));
        } else {
            secret = new String(System.in.readAllBytes(), StandardCharsets.UTF_8).strip();
        }
        System.out.println(of(secret, iterations).text());
    }
}
