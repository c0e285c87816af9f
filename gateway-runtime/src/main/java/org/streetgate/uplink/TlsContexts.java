package org.streetgate.uplink;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertPathBuilderException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.streetgate.profile.Profile;

/**
 * Builds the TLS socket factory for {@code ssl://} from PEM files: a CA (else the JRE's trust
 * store), and optionally a client certificate and key.
 *
 * <p>Every socket it makes speaks TLS 1.2 or 1.3 only and verifies the broker's host name
 * (HTTPS endpoint identification); a handshake on a socket where that was switched off is
 * refused rather than trusted. A server certificate that is refused says why, in words an
 * operator can act on ({@link ServerCertificateRefused}).
 */
public final class TlsContexts {
    /** The versions a socket may negotiate, newest first: no SSL 3, TLS 1.0 or 1.1. */
    static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    private TlsContexts() {}

    public static SSLSocketFactory socketFactory(Optional<Profile.Tls> tls, Path baseDir) {
        Profile.Tls t = tls.orElse(new Profile.Tls(Optional.empty(), Optional.empty(), Optional.empty()));
        try {
            KeyStore trust = null;
            if (t.ca().isPresent()) {
                trust = KeyStore.getInstance(KeyStore.getDefaultType());
                trust.load(null, null);
                int i = 0;
                for (Certificate c : certificates("platform.tls.ca", baseDir.resolve(t.ca().get()))) {
                    trust.setCertificateEntry("ca-" + i++, c);
                }
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust); // null: the JRE's CAs
            X509ExtendedTrustManager jre = Arrays.stream(tmf.getTrustManagers())
                    .filter(X509ExtendedTrustManager.class::isInstance).map(X509ExtendedTrustManager.class::cast)
                    .findFirst().orElseThrow(() -> new GeneralSecurityException("no X.509 trust manager"));
            String trusted = t.ca().map(ca -> "the configured CA (" + ca + ")").orElse("the system's CAs");
            KeyManagerFactory kmf = null;
            if (t.cert().isPresent() != t.key().isPresent()) {
                throw new IllegalStateException("platform TLS: 'cert' and 'key' go together; give both or neither");
            }
            if (t.cert().isPresent()) {
                KeyStore keys = KeyStore.getInstance(KeyStore.getDefaultType());
                keys.load(null, null);
                Certificate[] chain = certificates("platform.tls.cert", baseDir.resolve(t.cert().get())).toArray(Certificate[]::new);
                keys.setKeyEntry("client", privateKey(baseDir.resolve(t.key().get()), chain[0]), new char[0], chain);
                kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, new char[0]);
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf == null ? null : kmf.getKeyManagers(), new TrustManager[] {new Explaining(jre, trusted)}, null);
            return new Strict(ctx.getSocketFactory());
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("platform TLS setup failed: " + e.getMessage(), e);
        }
    }

    private static Collection<? extends Certificate> certificates(String key, Path pem) throws IOException, GeneralSecurityException {
        Collection<? extends Certificate> found;
        try {
            found = CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(Files.readAllBytes(pem)));
        } catch (CertificateException e) {
            throw new GeneralSecurityException(key + " " + pem + ": not a PEM certificate: " + e.getMessage(), e);
        } catch (IOException e) {
            throw new IOException(key + " " + pem + ": cannot read: " + e.getMessage(), e);
        }
        if (found.isEmpty()) {
            throw new GeneralSecurityException(key + " " + pem + ": holds no certificate");
        }
        return found;
    }

    /** Reads an unencrypted PKCS#8 PEM key ({@code BEGIN PRIVATE KEY}) of the certificate's algorithm. */
    private static PrivateKey privateKey(Path pem, Certificate cert) throws IOException, GeneralSecurityException {
        String text;
        try {
            text = Files.readString(pem, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IOException("platform.tls.key " + pem + ": cannot read: " + e.getMessage(), e);
        }
        if (!text.contains("BEGIN PRIVATE KEY")) {
            throw new GeneralSecurityException(pem + ": expected an unencrypted PKCS#8 key (BEGIN PRIVATE KEY); "
                    + "convert with: openssl pkcs8 -topk8 -nocrypt -in old.key -out " + pem.getFileName());
        }
        String b64 = text.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
        return KeyFactory.getInstance(cert.getPublicKey().getAlgorithm())
                .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(b64)));
    }

    /** The versions of {@code supported} a socket may enable, in {@link #PROTOCOLS} order. */
    static String[] allowed(String[] supported) {
        List<String> s = Arrays.asList(supported);
        return PROTOCOLS.stream().filter(s::contains).toArray(String[]::new);
    }

    /**
     * A server certificate refused, with the reason as the message: {@code TLS: server certificate
     * expired on ...}, {@code ... not trusted by ...}, {@code TLS: hostname H does not match ...}.
     * Such a failure does not go away by retrying soon.
     */
    public static final class ServerCertificateRefused extends CertificateException {
        ServerCertificateRefused(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Pins the protocol versions and host name verification on every socket it creates. */
    private static final class Strict extends SSLSocketFactory {
        private final SSLSocketFactory inner;

        Strict(SSLSocketFactory inner) {
            this.inner = inner;
        }

        private Socket strict(Socket s) {
            if (s instanceof SSLSocket ssl) {
                SSLParameters p = ssl.getSSLParameters();
                p.setProtocols(allowed(ssl.getSupportedProtocols()));
                p.setEndpointIdentificationAlgorithm("HTTPS");
                ssl.setSSLParameters(p);
            }
            return s;
        }

        @Override
        public Socket createSocket() throws IOException {
            return strict(inner.createSocket());
        }

        @Override
        public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
            return strict(inner.createSocket(s, host, port, autoClose));
        }

        @Override
        public Socket createSocket(String host, int port) throws IOException {
            return strict(inner.createSocket(host, port));
        }

        @Override
        public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
            return strict(inner.createSocket(host, port, localHost, localPort));
        }

        @Override
        public Socket createSocket(InetAddress host, int port) throws IOException {
            return strict(inner.createSocket(host, port));
        }

        @Override
        public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) throws IOException {
            return strict(inner.createSocket(address, port, localAddress, localPort));
        }

        @Override
        public String[] getDefaultCipherSuites() {
            return inner.getDefaultCipherSuites();
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return inner.getSupportedCipherSuites();
        }
    }

    /**
     * The JRE's checks of the server's certificate, run in two steps (the chain, then the host
     * name) so that a refusal can say which failed; refuses outright if host name verification
     * was turned off on the socket (Paho resets socket parameters before the handshake).
     */
    private static final class Explaining extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager jre;
        private final String trusted;

        Explaining(X509ExtendedTrustManager jre, String trusted) {
            this.jre = jre;
            this.trusted = trusted;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            if (!(socket instanceof SSLSocket ssl) || !"HTTPS".equals(ssl.getSSLParameters().getEndpointIdentificationAlgorithm())) {
                throw new CertificateException("TLS: host name verification is off on this connection; refusing it");
            }
            try {
                jre.checkServerTrusted(chain, authType); // the chain alone: trust and validity
            } catch (CertificateException e) {
                throw explain(chain, e);
            }
            try {
                jre.checkServerTrusted(chain, authType, socket); // again, now with the host name
            } catch (CertificateException e) {
                String host = ssl.getHandshakeSession() == null ? "?" : ssl.getHandshakeSession().getPeerHost();
                throw new ServerCertificateRefused("TLS: hostname " + host + " does not match the server certificate ("
                        + names(chain[0]) + ")", e);
            }
        }

        private CertificateException explain(X509Certificate[] chain, CertificateException e) {
            for (Throwable c = e; c != null; c = c.getCause()) {
                if (c instanceof CertificateExpiredException) {
                    X509Certificate which = expired(chain);
                    return new ServerCertificateRefused("TLS: server certificate expired"
                            + (which == null ? "" : " on " + which.getNotAfter().toInstant()
                            + (which == chain[0] ? "" : " (" + which.getSubjectX500Principal().getName() + " in its chain)")), e);
                }
                if (c instanceof CertificateNotYetValidException) {
                    return new ServerCertificateRefused("TLS: server certificate not valid yet (from "
                            + chain[0].getNotBefore().toInstant() + "): is this gateway's clock right?", e);
                }
                if (c instanceof CertPathBuilderException) {
                    return new ServerCertificateRefused("TLS: server certificate not trusted by " + trusted
                            + ": it was issued by " + chain[chain.length - 1].getIssuerX500Principal().getName(), e);
                }
            }
            return new ServerCertificateRefused("TLS: server certificate refused: " + e.getMessage(), e);
        }

        private static X509Certificate expired(X509Certificate[] chain) {
            for (X509Certificate c : chain) {
                try {
                    c.checkValidity();
                } catch (CertificateExpiredException | CertificateNotYetValidException e) {
                    return c;
                }
            }
            return null;
        }

        private static String names(X509Certificate cert) {
            try {
                Collection<List<?>> alt = cert.getSubjectAlternativeNames();
                if (alt != null && !alt.isEmpty()) {
                    return "it names " + String.join(", ", alt.stream().map(n -> String.valueOf(n.get(1))).toList());
                }
            } catch (CertificateException ignored) {
                // fall back to the subject
            }
            return "it names no alternative names; subject " + cert.getSubjectX500Principal().getName();
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            throw new CertificateException("TLS: only sockets are supported");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("TLS: a server certificate is only checked on a socket, with its host name");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            throw new CertificateException("TLS: the gateway is a client only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            throw new CertificateException("TLS: the gateway is a client only");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("TLS: the gateway is a client only");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return jre.getAcceptedIssuers();
        }
    }
}
