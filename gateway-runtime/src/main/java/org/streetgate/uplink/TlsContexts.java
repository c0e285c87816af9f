package org.streetgate.uplink;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.streetgate.profile.Profile;

/** Builds the TLS socket factory for {@code ssl://} from PEM files: a CA, and optionally a client certificate and key. */
public final class TlsContexts {
    private TlsContexts() {}

    public static SSLSocketFactory socketFactory(Optional<Profile.Tls> tls, Path baseDir) {
        if (tls.isEmpty()) {
            return SSLContextHolder.defaultFactory();
        }
        Profile.Tls t = tls.get();
        try {
            TrustManagerFactory tmf = null;
            if (t.ca().isPresent()) {
                KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
                trust.load(null, null);
                int i = 0;
                for (Certificate c : certificates(baseDir.resolve(t.ca().get()))) {
                    trust.setCertificateEntry("ca-" + i++, c);
                }
                tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(trust);
            }
            KeyManagerFactory kmf = null;
            if (t.cert().isPresent() && t.key().isPresent()) {
                KeyStore keys = KeyStore.getInstance(KeyStore.getDefaultType());
                keys.load(null, null);
                Certificate[] chain = certificates(baseDir.resolve(t.cert().get())).toArray(Certificate[]::new);
                keys.setKeyEntry("client", privateKey(baseDir.resolve(t.key().get()), chain[0]), new char[0], chain);
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, new char[0]);
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
            return ctx.getSocketFactory();
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("platform TLS setup failed: " + e.getMessage(), e);
        }
    }

    private static java.util.Collection<? extends Certificate> certificates(Path pem) throws IOException, GeneralSecurityException {
        return CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(Files.readAllBytes(pem)));
    }

    /** Reads an unencrypted PKCS#8 PEM key ({@code BEGIN PRIVATE KEY}) of the certificate's algorithm. */
    private static PrivateKey privateKey(Path pem, Certificate cert) throws IOException, GeneralSecurityException {
        String text = Files.readString(pem, StandardCharsets.US_ASCII);
        if (!text.contains("BEGIN PRIVATE KEY")) {
            throw new GeneralSecurityException(pem + ": expected an unencrypted PKCS#8 key (BEGIN PRIVATE KEY); "
                    + "convert with: openssl pkcs8 -topk8 -nocrypt -in old.key -out " + pem.getFileName());
        }
        String b64 = text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance(cert.getPublicKey().getAlgorithm())
                .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(b64)));
    }

    private static final class SSLContextHolder {
        static SSLSocketFactory defaultFactory() {
            return (SSLSocketFactory) SSLSocketFactory.getDefault();
        }
    }
}
