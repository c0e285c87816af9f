package org.streetgate.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throw-away certificate authority made with the {@code openssl} command line, in a test's
 * directory: P-256 keys, PKCS#8 PEM written 0600, the commands of docs/security-tls-acl.md.
 */
public final class TestPki {
    private final Path dir;
    private final Path caCert;
    private final Path caKey;
    private int serial;

    /** A certificate and its private key. */
    public record Issued(Path cert, Path key) {}

    private TestPki(Path dir) {
        this.dir = dir;
        this.caCert = dir.resolve("ca.pem");
        this.caKey = dir.resolve("ca.key");
    }

    /** A new CA with subject {@code CN=name}, valid for 30 days, in {@code dir}. */
    public static TestPki create(Path dir, String name) throws IOException, InterruptedException {
        TestPki pki = new TestPki(Files.createDirectories(dir));
        pki.openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                "-keyout", pki.caKey.toString(), "-out", pki.caCert.toString(), "-days", "30", "-subj", "/CN=" + name,
                "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
        Files.setPosixFilePermissions(pki.caKey, PosixFilePermissions.fromString("rw-------"));
        return pki;
    }

    public Path ca() {
        return caCert;
    }

    /** A broker certificate valid now for 30 days, for these subject alternative names ({@code DNS:x}, {@code IP:a.b.c.d}). */
    public Issued server(String name, String... altNames) throws IOException, InterruptedException {
        return issue(name, "serverAuth", altNames, null);
    }

    /** A broker certificate that expired on 1 February 2020 (valid from 1 January 2020). */
    public Issued expiredServer(String name, String... altNames) throws IOException, InterruptedException {
        return issue(name, "serverAuth", altNames, new String[] {"20200101000000Z", "20200201000000Z"});
    }

    /** A client certificate with subject {@code CN=cn}: the gateway id, which the broker's ACL uses as username. */
    public Issued client(String cn) throws IOException, InterruptedException {
        return issue(cn, "clientAuth", new String[0], null);
    }

    private Issued issue(String cn, String usage, String[] altNames, String[] validity) throws IOException, InterruptedException {
        String base = cn + "-" + ++serial;
        Path key = dir.resolve(base + ".key");
        Path csr = dir.resolve(base + ".csr");
        Path cert = dir.resolve(base + ".pem");
        Path ext = dir.resolve(base + ".ext");
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key.toString(),
                "-out", csr.toString(), "-subj", "/CN=" + cn);
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        Files.writeString(ext, "basicConstraints=CA:FALSE\nextendedKeyUsage=" + usage + "\n"
                + (altNames.length == 0 ? "" : "subjectAltName=" + String.join(",", altNames) + "\n"));
        if (validity == null) {
            openssl("x509", "-req", "-in", csr.toString(), "-CA", caCert.toString(), "-CAkey", caKey.toString(),
                    "-set_serial", String.valueOf(1000 + serial), "-days", "30", "-sha256", "-extfile", ext.toString(),
                    "-out", cert.toString());
        } else {
            // 'openssl x509' cannot back-date; 'openssl ca' takes explicit start and end dates.
            Path db = Files.createDirectories(dir.resolve("ca-db"));
            Files.writeString(db.resolve("index.txt"), "", java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
            Files.writeString(db.resolve("serial"), Integer.toHexString(0x1000 + serial) + "\n");
            Path conf = dir.resolve("ca.cnf");
            Files.writeString(conf, """
                    [ca]
                    default_ca = sg
                    [sg]
                    database = %s/index.txt
                    serial = %s/serial
                    new_certs_dir = %s
                    default_md = sha256
                    policy = any
                    unique_subject = no
                    [any]
                    commonName = supplied
                    """.formatted(db, db, db));
            openssl("ca", "-batch", "-config", conf.toString(), "-cert", caCert.toString(), "-keyfile", caKey.toString(),
                    "-in", csr.toString(), "-out", cert.toString(), "-startdate", validity[0], "-enddate", validity[1],
                    "-notext", "-extfile", ext.toString());
        }
        return new Issued(cert, key);
    }

    private void openssl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Path log = dir.resolve("openssl.log");
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("openssl " + args[0] + " did not finish within 30 s");
        }
        if (p.exitValue() != 0) {
            throw new IOException("openssl " + String.join(" ", args) + " failed (" + p.exitValue() + "): " + Files.readString(log)
                    + " (is the openssl package installed?)");
        }
    }
}
