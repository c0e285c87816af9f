package org.streetgate.command;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;
import java.util.Iterator;
import org.streetgate.outbox.RecordJson;

/**
 * JWS compact serialization (RFC 7515 §7.1) with EdDSA over Ed25519 (RFC 8037), the form a signed
 * command takes on {@code cmd}: {@code BASE64URL(header) '.' BASE64URL(payload) '.' BASE64URL(sig)}.
 * Pure: no keys are looked up here, and the signature is checked over the exact bytes received.
 */
public final class Jws {
    private static final Base64.Decoder B64 = Base64.getUrlDecoder();
    private static final Base64.Encoder B64E = Base64.getUrlEncoder().withoutPadding();

    private Jws() {}

    /**
     * A parsed, not yet verified JWS.
     *
     * @param keyId        the protected header's {@code kid}
     * @param payload      the decoded payload bytes
     * @param signingInput the ASCII bytes {@code header '.' payload} as received
     */
    public record Parsed(String keyId, byte[] payload, byte[] signingInput, byte[] signature) {
        /** True when {@code key} made the signature over the received signing input. */
        public boolean signedBy(PublicKey key) {
            try {
                Signature v = Signature.getInstance("Ed25519");
                v.initVerify(key);
                v.update(signingInput);
                return v.verify(signature);
            } catch (GeneralSecurityException e) {
                return false;
            }
        }
    }

    /** Thrown for anything that is not a well-formed EdDSA JWS; the message says what. */
    public static final class MalformedException extends Exception {
        MalformedException(String message) {
            super(message);
        }
    }

    /** True when the payload starts like a compact JWS (base64url) rather than JSON. */
    public static boolean looksLikeJws(byte[] raw) {
        int i = 0;
        while (i < raw.length && Character.isWhitespace(raw[i])) {
            i++;
        }
        if (i == raw.length) {
            return false;
        }
        byte c = raw[i];
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    }

    public static Parsed parse(byte[] raw) throws MalformedException {
        String text = new String(raw, StandardCharsets.US_ASCII).strip();
        int a = text.indexOf('.');
        int b = a < 0 ? -1 : text.indexOf('.', a + 1);
        if (a <= 0 || b < 0 || text.indexOf('.', b + 1) >= 0) {
            throw new MalformedException("not a JWS compact serialization (three base64url parts joined by '.')");
        }
        byte[] header = decode(text.substring(0, a), "header");
        byte[] payload = decode(text.substring(a + 1, b), "payload");
        byte[] signature = decode(text.substring(b + 1), "signature");
        JsonNode h;
        try {
            h = RecordJson.strictMapper().readTree(header);
        } catch (java.io.IOException e) {
            throw new MalformedException("JWS header is not JSON");
        }
        if (h == null || !h.isObject()) {
            throw new MalformedException("JWS header must be a JSON object");
        }
        for (Iterator<String> it = h.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!f.equals("alg") && !f.equals("kid") && !f.equals("typ")) {
                // RFC 7515 §4.1.11: a header we do not understand must not be ignored.
                throw new MalformedException("JWS header field '" + f + "' is not supported");
            }
        }
        if (!"EdDSA".equals(h.path("alg").asText(null))) {
            throw new MalformedException("JWS alg must be EdDSA");
        }
        String kid = h.path("kid").asText("");
        if (!kid.matches("[0-9a-f]{64}")) {
            throw new MalformedException("JWS kid must be the key id: lower-case hex sha256 of the public key");
        }
        if (signature.length != 64) {
            throw new MalformedException("an Ed25519 signature has 64 bytes, not " + signature.length);
        }
        return new Parsed(kid, payload, text.substring(0, b).getBytes(StandardCharsets.US_ASCII), signature);
    }

    /** Signs {@code payload} as a platform does; for tests, tools and the documented vector. */
    public static String sign(PrivateKey key, String keyId, byte[] payload) {
        String header = "{\"alg\":\"EdDSA\",\"kid\":\"" + keyId + "\"}";
        String input = B64E.encodeToString(header.getBytes(StandardCharsets.UTF_8)) + "." + B64E.encodeToString(payload);
        try {
            Signature s = Signature.getInstance("Ed25519");
            s.initSign(key);
            s.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + B64E.encodeToString(s.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot sign with this key: " + e.getMessage(), e);
        }
    }

    private static byte[] decode(String part, String what) throws MalformedException {
        if (!part.matches("[A-Za-z0-9_-]*")) {
            throw new MalformedException("JWS " + what + " is not base64url");
        }
        try {
            return B64.decode(part);
        } catch (IllegalArgumentException e) {
            throw new MalformedException("JWS " + what + " is not base64url");
        }
    }
}
