package org.streetgate.ota;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.streetgate.ota.bundle.BundleVerifier;
import org.streetgate.ota.bundle.BundleWriter;
import org.streetgate.ota.bundle.Manifest;
import org.streetgate.ota.bundle.Signatures;
import org.streetgate.ota.bundle.VerifiedBundle;
import org.streetgate.ota.keys.KeyFiles;
import org.streetgate.ota.keys.TrustedKeys;
import org.streetgate.ota.slots.Disk;
import org.streetgate.ota.slots.InstallLock;
import org.streetgate.ota.slots.InstallRoot;
import org.streetgate.ota.slots.OtaState;
import org.streetgate.ota.slots.Stager;
import org.streetgate.ota.util.Hex;

/**
 * The technician tools, {@code streetgate ota COMMAND ...}. Exit codes: 0 ok, 1 bad input (arguments,
 * a refused bundle) with a one-line reason on stderr, 2 runtime failure.
 *
 * <p>Defaults: the install root is {@code --root}, else {@code $STREETGATE_OTA_ROOT}, else
 * {@code /opt/streetgate}. Trusted keys are the {@code --trust} values (base64 SPKI or .pub files),
 * else every {@code *.pub} in {@code $STREETGATE_OTA_KEYS}, else in {@code /etc/streetgate/ota-keys}
 * (outside the install root, so an update cannot replace the keys that judge it). The gateway model
 * and agent version default to what the running agent last recorded in the state journal.
 */
public final class OtaCli {
    public static final String DEFAULT_ROOT = "/opt/streetgate";
    public static final String DEFAULT_KEYS = "/etc/streetgate/ota-keys";

    static final String USAGE = """
            usage: ota COMMAND ...
              keygen [--out PREFIX]                      write PREFIX.key (0600) and PREFIX.pub (default streetgate-ota)
              sign DIR --key K --version V --counter N --model M [--model M2 ...]
                   [--name N] [--min-agent V] [--out FILE]  build a signed bundle from payload directory DIR
              verify FILE [--trust KEY ...] [--model M]  check structure, signature and hashes
              inspect FILE                               print the manifest (signature NOT checked)
              install FILE [--root DIR] [--reinstall] [--trust KEY ...] [--model M] [--agent-version V] [--factory]
              push FILE --to HOST:PORT (--token T | --token-file F) [--reinstall]
              boot-check [--root DIR]                    converge, count trial boots, roll back (before each start)
              status [--root DIR]                        print the state journal
            """;

    private static final Set<String> FLAGS = Set.of("--reinstall", "--factory");

    private OtaCli() {
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Run one command; never calls System.exit. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (args.length == 0 || args[0].equals("--help") || args[0].equals("help")) {
            (args.length == 0 ? err : out).print(USAGE);
            return args.length == 0 ? 1 : 0;
        }
        try {
            Args a = Args.parse(args);
            return switch (args[0]) {
                case "keygen" -> keygen(a, out);
                case "sign" -> sign(a, out);
                case "verify" -> verify(a, out);
                case "inspect" -> inspect(a, out);
                case "install" -> install(a, out);
                case "push" -> push(a, out, err);
                case "boot-check" -> bootCheck(a, out);
                case "status" -> status(a, out);
                default -> throw new IllegalArgumentException("unknown command '" + args[0] + "' (try: ota help)");
            };
        } catch (IllegalArgumentException | BundleException e) {
            err.println("ota " + args[0] + ": " + e.getMessage());
            return 1;
        } catch (OtaException e) {
            err.println("ota " + args[0] + ": " + e.getMessage());
            return 2;
        }
    }

    private static int keygen(Args a, PrintStream out) {
        a.allow("--out");
        a.positionals(0);
        KeyFiles.GeneratedKey k = KeyFiles.generate(Path.of(a.one("--out", "streetgate-ota")));
        out.println("private key: " + k.privateKey() + " (mode 0600; keep it offline)");
        out.println("public key:  " + k.publicKey());
        out.println("key id:      " + k.keyId());
        out.println("for the profile's trusted keys: " + k.spkiBase64());
        return 0;
    }

    private static int sign(Args a, PrintStream out) {
        a.allow("--key", "--version", "--counter", "--name", "--model", "--min-agent", "--out");
        Path dir = Path.of(a.positionals(1).get(0));
        List<BundleWriter.SigningKey> keys = new ArrayList<>();
        for (String k : a.many("--key", true)) {
            Path priv = Path.of(k);
            String file = priv.getFileName().toString();
            Path pub = priv.resolveSibling((file.endsWith(".key") ? file.substring(0, file.length() - 4) : file) + ".pub");
            if (!Files.isRegularFile(pub)) {
                throw new IllegalArgumentException("sign needs the public key " + pub + " beside " + priv + " (from ota keygen)");
            }
            byte[] spki = KeyFiles.readPublicSpki(pub);
            keys.add(new BundleWriter.SigningKey(KeyFiles.readPrivate(priv), KeyFiles.publicFromSpki(spki, pub.toString())));
        }
        String version = a.required("--version");
        long counter;
        try {
            counter = Long.parseLong(a.required("--counter"));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--counter must be an integer");
        }
        String name = a.one("--name", "streetgate");
        Path outFile = Path.of(a.one("--out", name + "-" + version + ".sgb"));
        Manifest m = BundleWriter.sign(dir, new BundleWriter.Release(name, version, counter, a.many("--model", true),
                a.one("--min-agent", "0")), keys, outFile);
        out.println("wrote " + outFile + ": " + m.name() + " " + m.version() + ", release counter " + m.releaseCounter()
                + ", " + m.files().size() + " files, " + m.payloadBytes() + " bytes, models " + m.compatible());
        return 0;
    }

    private static int verify(Args a, PrintStream out) {
        a.allow("--trust", "--model");
        Path file = Path.of(a.positionals(1).get(0));
        VerifiedBundle b = new BundleVerifier(trustedKeys(a)).verify(file);
        Manifest m = b.manifest();
        String model = a.one("--model", null);
        if (model != null && !m.compatible().contains(model)) {
            throw new BundleException(BundleException.Reason.INCOMPATIBLE_MODEL, "bundle " + m.version()
                    + " is for models " + m.compatible() + ", not " + model);
        }
        out.println("OK " + file + ": " + m.name() + " " + m.version() + ", release counter " + m.releaseCounter()
                + ", signed by key " + Hex.shortHash(b.signerKeyId()) + ", " + m.files().size() + " files verified");
        return 0;
    }

    private static int inspect(Args a, PrintStream out) {
        a.allow();
        BundleVerifier.Inspection i = BundleVerifier.inspect(Path.of(a.positionals(1).get(0)));
        Manifest m = i.manifest();
        out.println("name:            " + m.name());
        out.println("version:         " + m.version());
        out.println("release counter: " + m.releaseCounter());
        out.println("compatible:      " + String.join(", ", m.compatible()));
        out.println("min agent:       " + m.minAgent());
        for (Signatures.Line l : i.signers()) {
            out.println("signed by key:   " + l.keyId());
        }
        out.println("files:");
        for (Manifest.FileEntry f : m.files()) {
            out.printf("  %s %10d %s %s%n", f.mode(), f.size(), Hex.shortHash(f.sha256()), f.path());
        }
        out.println("(signature and hashes not checked; use 'ota verify')");
        return 0;
    }

    private static int install(Args a, PrintStream out) {
        a.allow("--root", "--reinstall", "--trust", "--model", "--agent-version", "--factory");
        Path file = Path.of(a.positionals(1).get(0));
        InstallRoot root = new InstallRoot(root(a));
        OtaState s = root.journal().load();
        String model = a.one("--model", s.model());
        if (model == null) {
            throw new IllegalArgumentException("install needs --model (the gateway model in the profile); "
                    + "no running agent has recorded one under " + root.dir());
        }
        String agentVersion = a.one("--agent-version", s.agentVersion() != null ? s.agentVersion() : moduleVersion());
        if (a.flag("--factory")) {
            return installFactory(root, file, model, a, out);
        }
        List<String> trust = trustEntries(a);
        try (UpdateAgent agent = new UpdateAgent(root.dir(), trust, model, agentVersion, e -> {
            if (e instanceof OtaEvent.Progress p) {
                out.println("  " + p.state().wireName() + " " + p.percent() + "%");
            }
        })) {
            UpdateAgent.StagedRelease r = agent.installFile(file, a.flag("--reinstall"));
            out.println("installed " + r.version() + " (release counter " + r.releaseCounter() + ") as a trial in "
                    + r.release() + "; restart the gateway (systemctl restart streetgate) to boot it");
        }
        return 0;
    }

    /** Provisioning: write factory/ once, the release every failure falls back to. */
    private static int installFactory(InstallRoot root, Path file, String model, Args a, PrintStream out) {
        root.ensureLayout();
        try (InstallLock lock = InstallLock.acquire(root.lockFile(), Duration.ZERO)) {
            if (Files.exists(root.resolve(InstallRoot.FACTORY))) {
                throw new IllegalArgumentException(root.resolve(InstallRoot.FACTORY) + " already exists; the factory release is written once, at provisioning");
            }
            VerifiedBundle b = new BundleVerifier(trustedKeys(a)).verify(file);
            if (!b.manifest().compatible().contains(model)) {
                throw new BundleException(BundleException.Reason.INCOMPATIBLE_MODEL, "bundle " + b.manifest().version()
                        + " is for models " + b.manifest().compatible() + ", this gateway is a " + model);
            }
            Stager.stage(root, b, "factory", root.resolve(InstallRoot.FACTORY), Disk.REAL, 0);
            OtaState s = root.journal().load();
            if (s.active() == null) {
                // The factory release is the first installed one: nothing older may be installed after it.
                s = root.journal().save(s.withActive(InstallRoot.FACTORY, null).withGateway(model, s.agentVersion())
                        .withInstalled(Math.max(s.installedCounter(), b.manifest().releaseCounter()), b.manifest().version()));
                root.enforceLinks(s);
            }
            out.println("factory release " + b.manifest().version() + " written to " + root.resolve(InstallRoot.FACTORY));
            return 0;
        }
    }

    private static int push(Args a, PrintStream out, PrintStream err) {
        a.allow("--to", "--token", "--token-file", "--reinstall");
        Path file = Path.of(a.positionals(1).get(0));
        String to = a.required("--to");
        if (!to.matches("[^:/\\s]+:\\d{1,5}") && !to.matches("\\[[0-9a-fA-F:]+\\]:\\d{1,5}")) {
            throw new IllegalArgumentException("--to must be HOST:PORT, got '" + to + "'");
        }
        String token = a.one("--token", null);
        if (token == null && a.one("--token-file", null) != null) {
            try {
                token = Files.readString(Path.of(a.one("--token-file", null))).strip();
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read --token-file: " + e.getMessage());
            }
        }
        if (token == null) {
            token = System.getenv("STREETGATE_OTA_TOKEN");
        }
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("push needs a technician token: --token, --token-file or $STREETGATE_OTA_TOKEN");
        }
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": no such file");
        }
        URI uri = URI.create("http://" + to + "/ota/bundle" + (a.flag("--reinstall") ? "?reinstall=true" : ""));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        try {
            HttpResponse<String> resp = http.send(HttpRequest.newBuilder(uri).header("Authorization", "Bearer " + token)
                    .PUT(HttpRequest.BodyPublishers.ofFile(file)).build(), HttpResponse.BodyHandlers.ofString());
            String body = resp.body().strip();
            if (resp.statusCode() == 200) {
                out.println(body);
                return 0;
            }
            err.println("ota push: gateway answered " + resp.statusCode() + ": " + body);
            int code = resp.statusCode();
            return code == 401 || code == 403 || code == 413 || code == 422 ? 1 : 2;
        } catch (IOException e) {
            throw new OtaException("cannot reach the gateway at " + to + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OtaException("interrupted");
        }
    }

    private static int bootCheck(Args a, PrintStream out) {
        a.allow("--root");
        a.positionals(0);
        BootCheck.Result r = BootCheck.run(root(a));
        out.println("boot check: " + r.action());
        return 0;
    }

    private static int status(Args a, PrintStream out) {
        a.allow("--root");
        a.positionals(0);
        InstallRoot root = new InstallRoot(root(a));
        OtaState s = root.journal().load();
        out.println("install root:      " + root.dir());
        out.println("state:             " + s.phase().wireName());
        out.println("current:           " + root.linkTarget(root.current()).orElse("(none)"));
        out.println("previous:          " + root.linkTarget(root.previous()).orElse("(none)"));
        out.println("installed counter: " + s.installedCounter() + (s.installedVersion() != null ? " (" + s.installedVersion() + ")" : ""));
        if (s.trial() != null) {
            out.println("on trial:          " + s.trial().version() + ", " + s.trial().attemptsLeft() + " of "
                    + s.trial().attempts() + " boot attempts left");
        }
        if (s.reason() != null) {
            out.println("last failure:      " + s.reason());
        }
        return 0;
    }

    // ---------------------------------------------------------------------------------------------

    private static Path root(Args a) {
        String env = System.getenv("STREETGATE_OTA_ROOT");
        return Path.of(a.one("--root", env != null && !env.isBlank() ? env : DEFAULT_ROOT));
    }

    private static TrustedKeys trustedKeys(Args a) {
        return TrustedKeys.parse(trustEntries(a));
    }

    private static List<String> trustEntries(Args a) {
        List<String> given = a.many("--trust", false);
        if (!given.isEmpty()) {
            return given;
        }
        String env = System.getenv("STREETGATE_OTA_KEYS");
        Path dir = Path.of(env != null && !env.isBlank() ? env : DEFAULT_KEYS);
        List<String> found = new ArrayList<>();
        if (Files.isDirectory(dir)) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.pub")) {
                ds.forEach(p -> found.add(p.toString()));
            } catch (IOException e) {
                throw new OtaException("cannot list trusted keys in " + dir + ": " + e.getMessage(), e);
            }
        }
        if (found.isEmpty()) {
            throw new IllegalArgumentException("no trusted keys: pass --trust KEY, or put *.pub files in " + dir);
        }
        found.sort(null);
        return found;
    }

    static String moduleVersion() {
        try (InputStream in = OtaCli.class.getResourceAsStream("ota-version.properties")) {
            Properties p = new Properties();
            if (in != null) {
                p.load(in);
            }
            String v = p.getProperty("version", "0");
            return v.startsWith("$") ? "0" : v;
        } catch (IOException e) {
            return "0";
        }
    }

    /** Minimal option parsing: positionals, repeatable {@code --opt value}, and boolean flags. */
    private record Args(String command, List<String> positional, Map<String, List<String>> options) {
        static Args parse(String[] argv) {
            List<String> pos = new ArrayList<>();
            Map<String, List<String>> opts = new HashMap<>();
            for (int i = 1; i < argv.length; i++) {
                String s = argv[i];
                if (s.startsWith("--")) {
                    if (FLAGS.contains(s)) {
                        opts.computeIfAbsent(s, k -> new ArrayList<>()).add("true");
                    } else if (i + 1 < argv.length) {
                        opts.computeIfAbsent(s, k -> new ArrayList<>()).add(argv[++i]);
                    } else {
                        throw new IllegalArgumentException(s + " needs a value");
                    }
                } else {
                    pos.add(s);
                }
            }
            return new Args(argv[0], pos, opts);
        }

        void allow(String... names) {
            Set<String> ok = Set.of(names);
            for (String k : options.keySet()) {
                if (!ok.contains(k)) {
                    throw new IllegalArgumentException("unknown option " + k + " for " + command);
                }
            }
        }

        List<String> positionals(int n) {
            if (positional.size() != n) {
                throw new IllegalArgumentException(command + " takes " + (n == 0 ? "no arguments" : n == 1 ? "one FILE or DIR argument" : n + " arguments")
                        + ", got " + positional.size() + " (" + String.join(" ", positional) + ")");
            }
            return positional;
        }

        String one(String name, String fallback) {
            List<String> v = options.get(name);
            if (v == null) {
                return fallback;
            }
            if (v.size() > 1) {
                throw new IllegalArgumentException(name + " given more than once");
            }
            return v.get(0);
        }

        String required(String name) {
            String v = one(name, null);
            if (v == null) {
                throw new IllegalArgumentException(command + " needs " + name);
            }
            return v;
        }

        List<String> many(String name, boolean required) {
            List<String> v = options.getOrDefault(name, List.of());
            if (required && v.isEmpty()) {
                throw new IllegalArgumentException(command + " needs at least one " + name);
            }
            return v;
        }

        boolean flag(String name) {
            return options.containsKey(name);
        }
    }
}
