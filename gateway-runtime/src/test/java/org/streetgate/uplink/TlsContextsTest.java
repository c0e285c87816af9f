package org.streetgate.uplink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streetgate.profile.Profile;

/** What every TLS socket of the uplink is made with, and the start-up errors of bad TLS files. */
class TlsContextsTest {
    @TempDir
    Path dir;

    @Test
    void only_tls_1_2_and_1_3_are_ever_enabled() {
        assertArrayEquals(new String[] {"TLSv1.3", "TLSv1.2"},
                TlsContexts.allowed(new String[] {"SSLv3", "TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"}));
        assertArrayEquals(new String[] {"TLSv1.2"}, TlsContexts.allowed(new String[] {"TLSv1", "TLSv1.1", "TLSv1.2"}));
    }

    @Test
    void sockets_verify_the_host_name_and_speak_nothing_older_than_tls_1_2() throws Exception {
        try (SSLSocket s = (SSLSocket) TlsContexts.socketFactory(Optional.empty(), dir).createSocket()) {
            assertEquals("HTTPS", s.getSSLParameters().getEndpointIdentificationAlgorithm());
            assertArrayEquals(TlsContexts.allowed(s.getSupportedProtocols()), s.getEnabledProtocols());
            assertTrue(s.getEnabledProtocols().length > 0);
        }
    }

    /**
     * A JRE whose java.security re-enables TLS 1.0 and 1.1 (as some distributions' "legacy"
     * settings do) still gets only TLS 1.2/1.3 from the uplink: checked in a child JVM, where the
     * plain JSSE client beside it shows the old versions really were on offer.
     */
    @Test
    void a_jre_that_allows_tls_1_0_and_1_1_still_gets_neither_from_the_uplink() throws Exception {
        Path security = Files.writeString(dir.resolve("legacy.security"), "jdk.tls.disabledAlgorithms=SSLv3\n");
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(javaBin, "-Djava.security.properties=" + security, "-cp",
                System.getProperty("java.class.path"), TlsProtocolsProbe.class.getName())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.contains("jsse=TLSv1.3,TLSv1.2,TLSv1.1,TLSv1\n"), "the child JVM offers the old versions: " + out);
        assertTrue(out.contains("uplink=TLSv1.3,TLSv1.2\n"), out);
    }

    @Test
    void a_bad_ca_file_is_named_at_start_up() throws Exception {
        Path ca = Files.writeString(dir.resolve("ca.pem"), "not a certificate");
        var tls = Optional.of(new Profile.Tls(Optional.of(ca), Optional.empty(), Optional.empty()));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> TlsContexts.socketFactory(tls, dir));
        assertTrue(e.getMessage().startsWith("platform TLS setup failed: platform.tls.ca " + ca + ": "), e.getMessage());
        var missing = Optional.of(new Profile.Tls(Optional.of(dir.resolve("no-such.pem")), Optional.empty(), Optional.empty()));
        e = assertThrows(IllegalStateException.class, () -> TlsContexts.socketFactory(missing, dir));
        assertTrue(e.getMessage().contains("platform.tls.ca " + dir.resolve("no-such.pem") + ": cannot read"), e.getMessage());
    }

    @Test
    void a_certificate_without_its_key_is_refused() {
        var tls = Optional.of(new Profile.Tls(Optional.empty(), Optional.of(Path.of("pole.pem")), Optional.empty()));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> TlsContexts.socketFactory(tls, dir));
        assertEquals("platform TLS: 'cert' and 'key' go together; give both or neither", e.getMessage());
    }
}
