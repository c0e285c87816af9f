package org.streetgate.profile;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.streetgate.drivers.config.ConfigException;
import org.streetgate.drivers.config.ConfigNode;
import org.streetgate.drivers.config.ConfigReader;
import org.streetgate.drivers.config.Position;
import org.streetgate.drivers.config.Problems;
import org.streetgate.drivers.spi.DeviceSpec;
import org.streetgate.drivers.spi.DriverFactory;
import org.streetgate.drivers.spi.DriverRegistry;
import org.streetgate.drivers.spi.Resource;
import org.streetgate.drivers.transport.SerialSettings;
import org.streetgate.command.CommandSecurity;
import org.streetgate.kiosk.KioskSettings;
import org.streetgate.ota.keys.KeyFiles;

/**
 * Turns a profile file into a {@link Profile}, or throws a {@link ConfigException} listing every
 * problem with file and line. Nothing runs before this has passed.
 */
public final class ProfileLoader {
    private static final String ID_PATTERN = "[a-z0-9-]{1,64}";
    /** {@code device:action} in security patterns; either part may be {@code *}. */
    private static final String ACTION_PATTERN = "[a-z0-9*-]+:[a-z0-9*-]+";
    /** Command targets the gateway provides itself; a device may not take their names. */
    private static final java.util.Set<String> RESERVED_IDS = java.util.Set.of("gateway", "kiosk", "ota");
    private final DriverRegistry drivers;

    public ProfileLoader(DriverRegistry drivers) {
        this.drivers = drivers;
    }

    public Profile load(Path file) {
        Problems problems = new Problems();
        Optional<ConfigNode> root = YamlTree.read(file, problems);
        problems.throwIfAny();
        Profile profile = read(file, root.orElseThrow(), problems);
        problems.throwIfAny();
        return profile;
    }

    private Profile read(Path file, ConfigNode rootNode, Problems problems) {
        ConfigReader root = ConfigReader.of(rootNode, problems, "");

        ConfigReader g = root.requiredMap("gateway");
        var gateway = new Profile.Gateway(g.string("id", ID_PATTERN, "a gateway id of 1-64 characters a-z, 0-9 and '-'"),
                g.string("model", "generic"));
        g.finish();

        List<Profile.SecretFile> secrets = new ArrayList<>();
        Profile.Platform platform = readPlatform(root.requiredMap("platform"), secrets);
        Profile.Store store = readStore(root.map("store"));
        Profile.Health health = root.map("health")
                .map(h -> {
                    var out = new Profile.Health(h.duration("interval", Duration.ofSeconds(60)));
                    h.finish();
                    return out;
                })
                .orElse(new Profile.Health(Duration.ofSeconds(60)));

        Optional<Profile.Updates> updates = root.map("ota").map(o -> readUpdates(o, secrets));
        List<String> warnings = new ArrayList<>();
        CommandSecurity.Settings security = root.map("security")
                .map(sec -> readSecurity(file, sec, warnings))
                .orElse(CommandSecurity.Settings.none());
        Optional<KioskSettings> kiosk = root.map("kiosk").map(KioskSettings::read);

        List<Profile.Device<?>> devices = new ArrayList<>();
        Map<String, Position> ids = new HashMap<>();
        Map<String, Profile.Device<?>> ports = new HashMap<>();
        Map<Resource, Profile.Device<?>> claimed = new HashMap<>();
        for (ConfigReader d : root.mapList("devices")) {
            Profile.Device<?> device = readDevice(d);
            if (device == null) {
                continue;
            }
            if (RESERVED_IDS.contains(device.id())) {
                problems.add(d.at("id"), "device id '" + device.id() + "' is reserved for the gateway's own commands");
            }
            Position first = ids.putIfAbsent(device.id(), device.spec().at());
            if (first != null) {
                problems.add(d.at("id"), "duplicate device id '" + device.id() + "' (first defined at line " + first.line() + ")");
            }
            device.spec().serial().ifPresent(serial -> {
                Profile.Device<?> other = ports.putIfAbsent(serial.port(), device);
                boolean bus = other != null && other.factory().sharesSerialBus() && device.factory().sharesSerialBus();
                if (other != null && !bus) {
                    problems.add(d.at("serial"), "serial port " + serial.port() + " is already used by device '"
                            + other.id() + "' (line " + other.spec().at().line() + ")");
                } else if (bus && !other.spec().serial().orElseThrow().equals(serial)) {
                    problems.add(d.at("serial"), "devices sharing the bus on " + serial.port()
                            + " must use the same line settings as device '" + other.id() + "'");
                }
            });
            // Simulated devices claim too: the profile is the real wiring, sim or not.
            for (Resource r : resources(device)) {
                Profile.Device<?> other = claimed.putIfAbsent(r, device);
                if (other != null) {
                    problems.add(d.at(r.key()), r.describe() + " is already used by device '" + other.id()
                            + "' (line " + other.spec().at().line() + ")");
                }
            }
            devices.add(device);
        }
        kiosk.ifPresent(k -> {
            Map<String, String> drivers = new HashMap<>();
            devices.forEach(d -> drivers.put(d.id(), d.spec().driver()));
            k.deviceProblems(drivers).forEach(message -> problems.add(root.at("kiosk"), message));
        });
        root.finish();
        if (!security.enforced() && !platform.embedded()) {
            warnings.add(file + ":" + root.at().line() + ": warning: no security.command-keys: any client that can"
                    + " publish to this gateway's cmd topic can actuate its devices");
        }
        return new Profile(file, gateway, platform, store, health, updates, kiosk, security, devices, warnings, secrets);
    }

    /** The {@code security:} section; key files are read now, so a bad key fails here with its line. */
    private static CommandSecurity.Settings readSecurity(Path profileFile, ConfigReader sec, List<String> warnings) {
        Path base = profileFile.toAbsolutePath().getParent();
        List<CommandSecurity.Key> keys = new ArrayList<>();
        for (String f : sec.stringList("command-keys")) {
            readKey(base, f, List.of(), sec, "command-keys").ifPresent(keys::add);
        }
        for (ConfigReader scoped : sec.mapList("scoped-command-keys")) {
            String f = scoped.string("file");
            List<String> actions = scoped.stringList("actions");
            for (String a : actions) {
                if (!a.matches(ACTION_PATTERN)) {
                    scoped.error("actions", "'" + a + "' must be device:action (either may be *)");
                }
            }
            if (actions.isEmpty()) {
                scoped.error("actions", "a scoped key lists the device:action patterns it may sign");
            }
            scoped.finish();
            if (f != null) {
                readKey(base, f, actions, scoped, "file").ifPresent(keys::add);
            }
        }
        List<String> unsigned = sec.stringList("unsigned-actions");
        for (String a : unsigned) {
            if (!a.matches(ACTION_PATTERN)) {
                sec.error("unsigned-actions", "'" + a + "' must be device:action (either may be *)");
            }
        }
        if (!unsigned.isEmpty()) {
            warnings.add(profileFile + ":" + sec.at("unsigned-actions").line() + ": warning: security.unsigned-actions lets "
                    + String.join(", ", unsigned) + " run without a signature");
        }
        Duration horizon = sec.duration("command-horizon", Duration.ofMinutes(10));
        if (horizon.isZero() || horizon.compareTo(Duration.ofDays(1)) > 0) {
            sec.error("command-horizon", "'command-horizon' must be between 1s and 1d");
        }
        Duration grace = sec.duration("unsynced-grace", Duration.ZERO);
        if (grace.compareTo(CommandSecurity.MAX_UNSYNCED_GRACE) > 0) {
            sec.error("unsynced-grace", "'unsynced-grace' must be at most " + CommandSecurity.MAX_UNSYNCED_GRACE.toMinutes() + "m");
        } else if (!grace.isZero()) {
            warnings.add(profileFile + ":" + sec.at("unsynced-grace").line() + ": warning: security.unsynced-grace lets signed"
                    + " commands run for " + grace.toSeconds() + " s after boot without an expiry check while the clock is unsynced");
        }
        if (keys.isEmpty() && !sec.problems().isEmpty()) {
            sec.finish();
            return CommandSecurity.Settings.none();
        }
        if (keys.isEmpty()) {
            sec.error("command-keys", "'security' needs at least one of command-keys or scoped-command-keys");
        }
        sec.finish();
        return new CommandSecurity.Settings(keys, unsigned, horizon, grace);
    }

    private static Optional<CommandSecurity.Key> readKey(Path base, String name, List<String> scopes, ConfigReader at, String key) {
        Path f = base.resolve(name);
        try {
            byte[] spki = KeyFiles.readPublicSpki(f);
            return Optional.of(new CommandSecurity.Key(KeyFiles.keyId(spki),
                    KeyFiles.publicFromSpki(spki, name), f, scopes));
        } catch (RuntimeException e) {
            at.error(key, "cannot use command key " + name + ": " + e.getMessage());
            return Optional.empty();
        }
    }

    private static Profile.Platform readPlatform(ConfigReader p, List<Profile.SecretFile> secrets) {
        String url = p.string("url", "(tcp|ssl)://[^\\s:/]+:\\d{1,5}|embedded",
                "tcp://host:port, ssl://host:port or embedded");
        String prefix = p.string("topic-prefix", "sg/v1");
        Optional<String> username = Optional.ofNullable(p.string("username", null));
        Optional<Path> passwordFile = Optional.ofNullable(p.string("password-file", null)).map(Path::of);
        passwordFile.ifPresent(f -> secrets.add(new Profile.SecretFile("platform.password-file", f, p.at("password-file"), true)));
        if (p.has("password")) {
            p.error("password", "put the password in a file and name it with 'password-file'; it must not be in the profile");
            p.skip("password");
        }
        Optional<Profile.Tls> tls = p.map("tls").map(t -> {
            var out = new Profile.Tls(Optional.ofNullable(t.string("ca", null)).map(Path::of),
                    Optional.ofNullable(t.string("cert", null)).map(Path::of),
                    Optional.ofNullable(t.string("key", null)).map(Path::of));
            out.key().ifPresent(k -> secrets.add(new Profile.SecretFile("platform.tls.key", k, t.at("key"), true)));
            t.finish();
            return out;
        });
        Duration min = p.duration("reconnect-min", Duration.ofSeconds(1));
        Duration max = p.duration("reconnect-max", Duration.ofSeconds(60));
        if (max.compareTo(min) < 0) {
            p.error("reconnect-max", "'reconnect-max' must not be shorter than 'reconnect-min'");
        }
        int batchRecords = p.integer("batch-records", 500, 1, 100_000);
        long batchBytes = p.size("batch-bytes", 128 * 1024);
        if (batchBytes < 1024 || batchBytes > 256L * 1024 * 1024) {
            p.error("batch-bytes", "'batch-bytes' must be between 1KiB and 256MiB");
            batchBytes = 128 * 1024;
        }
        int inFlight = p.integer("max-in-flight", 10, 1, 1000);
        double rate = p.number("max-messages-per-second", 0);
        if (rate < 0) {
            p.error("max-messages-per-second", "'max-messages-per-second' must be 0 (unlimited) or more");
        }
        Duration keepAlive = p.duration("keep-alive", Duration.ofSeconds(30));
        boolean embedded = url == null || url.equals("embedded");
        // Moquette 0.17, the embedded demo broker, speaks 3.1.1 only.
        Profile.Protocol protocol = Profile.Protocol.of(p.oneOf("protocol", "3.1.1", List.of("5", "3.1.1")));
        if (embedded && protocol == Profile.Protocol.MQTT_5) {
            p.error("protocol", "the embedded broker speaks MQTT 3.1.1 only: use protocol \"3.1.1\" or a real broker");
        }
        Duration sessionExpiry = p.duration("session-expiry", Duration.ofDays(1));
        if (sessionExpiry.isZero() || sessionExpiry.toSeconds() > 0xFFFF_FFFEL) {
            p.error("session-expiry", "'session-expiry' must be between 1s and 136y (commands queued while away are kept this long)");
        }
        Duration willDelay = p.duration("will-delay", Duration.ofSeconds(30));
        long maxInbound = p.size("max-inbound", 256 * 1024);
        if (maxInbound < 16 * 1024 || maxInbound > 256L * 1024 * 1024) {
            p.error("max-inbound", "'max-inbound' must be between 16KiB and 256MiB");
            maxInbound = 256 * 1024;
        } else if (protocol == Profile.Protocol.MQTT_5 && batchBytes + 8192 > maxInbound) {
            // Paho 1.2.5 applies this limit to what it sends too (the uplink splits a batch that exceeds it).
            p.error("batch-bytes", "'batch-bytes' (" + batchBytes + ") plus 8KiB must fit in 'max-inbound' (" + maxInbound
                    + ") on MQTT 5, which bounds the packets sent as well as received");
        }
        Duration ackTimeout = p.duration("ack-timeout", Duration.ofSeconds(60));
        if (ackTimeout.compareTo(Duration.ofSeconds(1)) < 0) {
            p.error("ack-timeout", "'ack-timeout' must be at least 1s");
        }
        p.finish();
        return new Profile.Platform(url == null ? "embedded" : url, prefix, username, passwordFile, tls, min, max,
                batchRecords, (int) batchBytes, inFlight, Math.max(0, rate), keepAlive, protocol, sessionExpiry, willDelay,
                (int) maxInbound, ackTimeout);
    }

    private static Profile.Store readStore(Optional<ConfigReader> section) {
        if (section.isEmpty()) {
            return new Profile.Store(Path.of("outbox.db"), 256L << 20, Duration.ofMillis(100), 10_000);
        }
        ConfigReader s = section.get();
        Path path = Path.of(s.string("path", "outbox.db"));
        long maxBytes = s.size("max-bytes", 256L << 20);
        if (maxBytes < (1L << 20)) {
            s.error("max-bytes", "'max-bytes' must be at least 1MiB");
        }
        Duration window = s.duration("commit-window", Duration.ofMillis(100));
        if (window.isZero() || window.compareTo(Duration.ofSeconds(1)) > 0) {
            s.error("commit-window", "'commit-window' must be between 1ms and 1s");
        }
        int records = s.integer("commit-records", 10_000, 1, 1_000_000);
        s.finish();
        return new Profile.Store(path, maxBytes, window, records);
    }

    private static Profile.Updates readUpdates(ConfigReader o, List<Profile.SecretFile> secrets) {
        Path root = Path.of(o.string("root", "/opt/streetgate"));
        List<String> keys = o.stringList("trusted-keys");
        if (keys.isEmpty()) {
            o.error("trusted-keys", "'trusted-keys' must list at least one public key (base64, or a .pub file)");
        }
        Duration deadline = o.duration("health-deadline", Duration.ofMinutes(5));
        String bind = "127.0.0.1";
        int port = 8787;
        Optional<Path> token = Optional.empty();
        boolean allowRemote = false;
        List<String> hosts = o.stringList("allowed-hosts");
        for (String h : hosts) {
            if (!h.matches("[A-Za-z0-9.-]{1,253}|\\[[0-9A-Fa-f:]+\\]")) {
                o.error("allowed-hosts", "'" + h + "' must be a host name or address, without scheme, port or path");
            }
        }
        Optional<ConfigReader> push = o.map("push");
        if (push.isPresent()) {
            ConfigReader p = push.get();
            bind = p.string("bind", "127.0.0.1");
            port = p.integer("port", 8787, 1, 65535);
            allowRemote = p.bool("allow-remote", false);
            token = Optional.ofNullable(p.string("token-file")).map(Path::of);
            // UpdateService reads the token file as named: relative to the working directory.
            token.ifPresent(f -> secrets.add(new Profile.SecretFile("ota.push.token-file", f, p.at("token-file"), false)));
            p.finish();
        }
        Optional<Path> watch = Optional.ofNullable(o.string("watch", null)).map(Path::of);
        o.finish();
        return new Profile.Updates(root, keys, deadline, bind, port, token, watch, hosts, allowRemote);
    }

    private Profile.Device<?> readDevice(ConfigReader d) {
        String id = d.string("id", ID_PATTERN, "a device id of 1-64 characters a-z, 0-9 and '-'");
        String driverName = d.string("driver");
        boolean sim = d.bool("sim", false);
        if (driverName == null) {
            return null;
        }
        Optional<DriverFactory<?>> found = drivers.find(driverName);
        if (found.isEmpty()) {
            d.error("driver", "unknown driver '" + driverName + "' (known: " + String.join(", ", drivers.names()) + ")");
            d.skip("poll");
            d.skip("serial");
            return null;
        }
        return readDevice(d, found.get(), id == null ? "?" : id, driverName, sim);
    }

    private static <C> Profile.Device<C> readDevice(ConfigReader d, DriverFactory<C> factory, String id,
                                                    String driverName, boolean sim) {
        Duration poll = d.duration("poll", factory.defaultPoll());
        if (poll != null && poll.isZero()) {
            d.error("poll", "'poll' must be longer than 0ms");
        }
        Optional<SerialSettings> serial = d.map("serial").map(s -> SerialSettings.read(s, factory.defaultBaud()));
        if (factory.needsSerial() && serial.isEmpty() && !d.has("serial")) {
            d.problems().add(d.at(), "missing required key 'serial' in " + d.where() + " (driver " + driverName + ")");
        }
        C config = factory.parseConfig(d);
        d.finish();
        return new Profile.Device<>(new DeviceSpec(id, driverName, poll, serial, sim, d.at()), factory, config);
    }

    private static <C> List<Resource> resources(Profile.Device<C> device) {
        // A config that failed to parse has its problems reported already; it claims nothing.
        return device.config() == null ? List.of() : device.factory().resources(device.config());
    }
}
