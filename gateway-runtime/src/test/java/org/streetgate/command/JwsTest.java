package org.streetgate.command;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** JWS compact EdDSA against RFC 8037's published example, OpenSSL, and what can go wrong. */
class JwsTest {
    /** RFC 8037 Appendix A.4: {"alg":"EdDSA"} over "Example of Ed25519 signing" with the A.1 key. */
    private static final String RFC8037_A4 = "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc"
            + ".hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";

    /** The command vector of docs/mqtt.md, computed with Python's cryptography package, not this code. */
    static final String DOC_COMMAND = "{\"id\":\"open-7c1e\",\"gateway\":\"kiosk-0001\",\"device\":\"kiosk\","
            + "\"action\":\"open-door\",\"args\":{\"door\":12},\"expires\":1796083200000}";
    static final String DOC_JWS = "eyJhbGciOiJFZERTQSIsImtpZCI6IjA2ZTNmZDhmZGEyOWJiNjBhYjU5NTU3ZGU2MWVkYjBhZWNkYjIzMTEzNGJlMzBlNzViNDU1ZjhlMWI3OTJmYTkifQ"
            + ".eyJpZCI6Im9wZW4tN2MxZSIsImdhdGV3YXkiOiJraW9zay0wMDAxIiwiZGV2aWNlIjoia2lvc2siLCJhY3Rpb24iOiJvcGVuLWRvb3IiLCJhcmdzIjp7ImRvb3IiOjEyfSwiZXhwaXJlcyI6MTc5NjA4MzIwMDAwMH0"
            + ".eFmvnZRhQo3VoOAWtu5j28hh7Hr-dL21P2fVH4_HM6lRwfmHufVwwT4iDoxcLD5URX53ET1QjNCh4lJELi8aAw";

    @TempDir
    Path dir;

    @Test
    void rfc8037_example_signature_verifies_with_its_key() {
        String[] p = RFC8037_A4.split("\\.");
        var parsed = new Jws.Parsed(null, Base64.getUrlDecoder().decode(p[1]),
                (p[0] + "." + p[1]).getBytes(StandardCharsets.US_ASCII), Base64.getUrlDecoder().decode(p[2]));
        assertTrue(parsed.signedBy(TestKeys.RFC8037.publicKey()));
        assertFalse(parsed.signedBy(TestKeys.fresh().publicKey()), "another key does not verify it");
    }

    @Test
    void the_documented_command_vector_is_reproduced_and_verifies() throws Exception {
        assertEquals("06e3fd8fda29bb60ab59557de61edb0aecdb231134be30e75b455f8e1b792fa9", TestKeys.RFC8037.keyId(),
                "key id = sha256 of the DER SubjectPublicKeyInfo, as ota keygen makes it");
        assertEquals(DOC_JWS, TestKeys.RFC8037.sign(DOC_COMMAND), "Ed25519 is deterministic: the same bytes");
        Jws.Parsed parsed = Jws.parse(DOC_JWS.getBytes(StandardCharsets.US_ASCII));
        assertEquals(TestKeys.RFC8037.keyId(), parsed.keyId());
        assertEquals(DOC_COMMAND, new String(parsed.payload(), StandardCharsets.UTF_8));
        assertTrue(parsed.signedBy(TestKeys.RFC8037.publicKey()));
        String doc = Files.readString(Path.of("../docs/mqtt.md"));
        assertTrue(doc.contains(DOC_JWS), "docs/mqtt.md shows the exact JWS");
        assertTrue(doc.contains(DOC_COMMAND), "docs/mqtt.md shows the exact command");
        assertTrue(doc.contains(TestKeys.RFC8037.keyId()), "docs/mqtt.md shows the key id");
    }

    @Test
    void openssl_makes_the_same_signature() throws Exception {
        Path key = TestKeys.RFC8037.writePrivatePem(dir.resolve("platform.key"));
        String[] p = DOC_JWS.split("\\.");
        Path input = Files.writeString(dir.resolve("input"), p[0] + "." + p[1]);
        Path sig = dir.resolve("sig");
        Process openssl = new ProcessBuilder("openssl", "pkeyutl", "-sign", "-rawin", "-inkey", key.toString(),
                "-in", input.toString(), "-out", sig.toString()).redirectErrorStream(true).start();
        assertTrue(openssl.waitFor(20, TimeUnit.SECONDS));
        assertEquals(0, openssl.exitValue(), new String(openssl.getInputStream().readAllBytes()));
        assertArrayEquals(Base64.getUrlDecoder().decode(p[2]), Files.readAllBytes(sig));
    }

    @Test
    void tampering_with_any_byte_of_header_or_payload_breaks_the_signature() throws Exception {
        byte[] good = DOC_JWS.getBytes(StandardCharsets.US_ASCII);
        int dot = DOC_JWS.lastIndexOf('.');
        for (int i = 0; i < dot; i += 7) {
            if (good[i] == '.') {
                continue;
            }
            byte[] bad = good.clone();
            bad[i] = (byte) (bad[i] == 'A' ? 'B' : 'A');
            try {
                assertFalse(Jws.parse(bad).signedBy(TestKeys.RFC8037.publicKey()), "byte " + i);
            } catch (Jws.MalformedException e) {
                // the header no longer parses: refused as well
            }
        }
    }

    @Test
    void malformed_tokens_say_what_is_wrong() {
        String h = b64("{\"alg\":\"EdDSA\",\"kid\":\"" + TestKeys.RFC8037.keyId() + "\"}");
        String sig = b64(new byte[64]);
        assertMalformed("two parts", h + "." + b64("{}"), "three base64url parts");
        assertMalformed("four parts", h + "." + b64("{}") + "." + sig + ".x", "three base64url parts");
        assertMalformed("not base64url", h + ".a+b/." + sig, "payload is not base64url");
        assertMalformed("alg none", b64("{\"alg\":\"none\",\"kid\":\"" + TestKeys.RFC8037.keyId() + "\"}") + "." + b64("{}") + "." + sig,
                "alg must be EdDSA");
        assertMalformed("no kid", b64("{\"alg\":\"EdDSA\"}") + "." + b64("{}") + "." + sig, "kid");
        assertMalformed("crit", b64("{\"alg\":\"EdDSA\",\"kid\":\"" + TestKeys.RFC8037.keyId() + "\",\"crit\":[\"exp\"]}")
                + "." + b64("{}") + "." + sig, "'crit' is not supported");
        assertMalformed("duplicate alg", b64("{\"alg\":\"none\",\"alg\":\"EdDSA\",\"kid\":\"" + TestKeys.RFC8037.keyId() + "\"}")
                + "." + b64("{}") + "." + sig, "header is not JSON");
        assertMalformed("short signature", h + "." + b64("{}") + "." + b64(new byte[10]), "64 bytes");
    }

    @Test
    void plain_json_is_not_taken_for_a_jws() {
        assertFalse(Jws.looksLikeJws("  {\"id\":\"x\"}".getBytes(StandardCharsets.UTF_8)));
        assertTrue(Jws.looksLikeJws(DOC_JWS.getBytes(StandardCharsets.US_ASCII)));
    }

    private static void assertMalformed(String what, String token, String message) {
        var e = assertThrows(Jws.MalformedException.class, () -> Jws.parse(token.getBytes(StandardCharsets.US_ASCII)), what);
        assertTrue(e.getMessage().contains(message), what + ": " + e.getMessage());
    }

    private static String b64(String s) {
        return b64(s.getBytes(StandardCharsets.UTF_8));
    }

    private static String b64(byte[] b) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
