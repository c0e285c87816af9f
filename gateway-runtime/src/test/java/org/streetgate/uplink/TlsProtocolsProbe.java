package org.streetgate.uplink;

import java.nio.file.Path;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * Run in a child JVM by {@link TlsContextsTest} with a java.security that allows TLS 1.0/1.1:
 * prints the versions a plain JSSE client socket enables there, and those of the uplink's.
 */
public final class TlsProtocolsProbe {
    public static void main(String[] args) throws Exception {
        try (SSLSocket plain = (SSLSocket) SSLContext.getDefault().getSocketFactory().createSocket();
             SSLSocket uplink = (SSLSocket) TlsContexts.socketFactory(Optional.empty(), Path.of(".")).createSocket()) {
            System.out.println("jsse=" + String.join(",", plain.getEnabledProtocols()));
            System.out.println("uplink=" + String.join(",", uplink.getEnabledProtocols()));
        }
    }
}
