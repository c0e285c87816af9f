package org.streetgate.ota.util;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Hex and SHA-256 helpers. */
public final class Hex {
    private Hex() {
    }

    public static String of(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    public static String sha256(byte[] bytes) {
        return of(sha256().digest(bytes));
    }

    /** True for a lowercase 64-digit hex string. */
    public static boolean isSha256(String s) {
        return s != null && s.matches("[0-9a-f]{64}");
    }

    /** First 12 digits, enough to tell hashes apart in a message. */
    public static String shortHash(String hex) {
        return hex.length() <= 12 ? hex : hex.substring(0, 12) + "…";
    }
}
