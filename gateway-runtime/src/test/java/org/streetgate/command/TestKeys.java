package org.streetgate.command;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.streetgate.ota.keys.KeyFiles;

/**
 * Platform keys for tests. {@link #RFC8037} is the Ed25519 key of RFC 8037 Appendix A.1
 * (d = nWGxne_9..., x = 11qYAYKx...), so the documented command vector can be reproduced by
 * anyone with a stock JOSE library.
 */
public record TestKeys(PrivateKey privateKey, PublicKey publicKey, String keyId) {
    private static final byte[] SPKI_PREFIX = HexFormat.of().parseHex("302a300506032b6570032100");
    private static final byte[] PKCS8_PREFIX = HexFormat.of().parseHex("302e020100300506032b657004220420");

    public static final TestKeys RFC8037 = fromRaw("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
            "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo");

    static TestKeys fromRaw(String d, String x) {
        try {
            byte[] spki = concat(SPKI_PREFIX, Base64.getUrlDecoder().decode(x));
            KeyFactory f = KeyFactory.getInstance("Ed25519");
            return new TestKeys(f.generatePrivate(new PKCS8EncodedKeySpec(concat(PKCS8_PREFIX, Base64.getUrlDecoder().decode(d)))),
                    f.generatePublic(new X509EncodedKeySpec(spki)), KeyFiles.keyId(spki));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static TestKeys fresh() {
        try {
            var kp = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            return new TestKeys(kp.getPrivate(), kp.getPublic(), KeyFiles.keyId(kp.getPublic().getEncoded()));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public CommandSecurity.Key key(List<String> scopes) {
        return new CommandSecurity.Key(keyId, publicKey, Path.of("test.pub"), scopes);
    }

    /** A JWS of {@code json}, as a platform sends it. */
    public String sign(String json) {
        return Jws.sign(privateKey, keyId, json.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes the public key as PEM, as {@code openssl pkey -pubout} does. */
    public Path writePublicPem(Path file) throws java.io.IOException {
        String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(publicKey.getEncoded());
        Files.writeString(file, "-----BEGIN PUBLIC KEY-----\n" + b64 + "\n-----END PUBLIC KEY-----\n");
        return file;
    }

    /** Writes the private key as PKCS#8 PEM, for openssl. */
    public Path writePrivatePem(Path file) throws java.io.IOException {
        String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(privateKey.getEncoded());
        Files.writeString(file, "-----BEGIN PRIVATE KEY-----\n" + b64 + "\n-----END PRIVATE KEY-----\n");
        return file;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
