package org.streetgate.profile;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.streetgate.drivers.spi.DeviceSpec;
import org.streetgate.drivers.spi.DriverFactory;

/** A validated hardware profile: what this gateway is, where it reports, and what it drives. */
public record Profile(Path file, Gateway gateway, Platform platform, Store store, Health health,
                      Optional<Updates> updates, Optional<org.streetgate.kiosk.KioskSettings> kiosk,
                      org.streetgate.command.CommandSecurity.Settings security, List<Device<?>> devices,
                      List<String> warnings, List<SecretFile> secretFiles) {
    public Profile {
        devices = List.copyOf(devices);
        warnings = List.copyOf(warnings);
        secretFiles = List.copyOf(secretFiles);
    }

    /**
     * A file the profile names that holds a secret (password, private key, token), with where the
     * profile names it, so that start-up can refuse one others may read (see {@link SecretFiles}).
     *
     * @param key             the profile key, e.g. {@code platform.tls.key}
     * @param dataDirRelative whether a relative path is read against the data directory (else the working directory)
     */
    public record SecretFile(String key, Path path, org.streetgate.drivers.config.Position at, boolean dataDirRelative) {
        /** The file as the gateway reads it. */
        public Path resolve(Path dataDir) {
            return dataDirRelative ? dataDir.resolve(path) : path;
        }
    }

    /** {@code id} is part of every MQTT topic: {@code [a-z0-9-]{1,64}}. */
    public record Gateway(String id, String model) {}

    /**
     * @param url            {@code tcp://host:port}, {@code ssl://host:port}, or {@code embedded}
     * @param passwordFile   read at start-up; the password never appears in the profile
     * @param batchRecords   most records in one MQTT message
     * @param batchBytes     most payload bytes in one MQTT message
     * @param maxInFlight    QoS 1 messages awaiting PUBACK at once
     * @param maxMessagesPerSecond cap for backlog drains (0 = unlimited)
     */
    /**
     * The {@code platform:} section.
     *
     * @param protocol      the MQTT version spoken to the broker
     * @param sessionExpiry MQTT 5: how long the broker keeps the session (and queued commands) after a loss
     * @param willDelay     MQTT 5: how long the broker waits before publishing the {@code offline} will
     * @param maxInbound    MQTT 5: the Maximum Packet Size in CONNECT; the broker sends nothing bigger
     * @param ackTimeout    messages in flight and no PUBACK for this long: the connection is wedged, reconnect
     */
    public record Platform(String url, String topicPrefix, Optional<String> username, Optional<Path> passwordFile,
                           Optional<Tls> tls, Duration reconnectMin, Duration reconnectMax, int batchRecords,
                           int batchBytes, int maxInFlight, double maxMessagesPerSecond, Duration keepAlive,
                           Protocol protocol, Duration sessionExpiry, Duration willDelay, int maxInbound,
                           Duration ackTimeout) {
        public boolean embedded() {
            return url.equals("embedded");
        }

        /** The same settings on another protocol (tests run one scenario on both). */
        public Platform withProtocol(Protocol p) {
            return new Platform(url, topicPrefix, username, passwordFile, tls, reconnectMin, reconnectMax, batchRecords,
                    batchBytes, maxInFlight, maxMessagesPerSecond, keepAlive, p, sessionExpiry, willDelay, maxInbound,
                    ackTimeout);
        }
    }

    /** {@code platform.protocol}, in the profile's words. */
    public enum Protocol {
        MQTT_5("5"), MQTT_3_1_1("3.1.1");

        private final String word;

        Protocol(String word) {
            this.word = word;
        }

        public String word() {
            return word;
        }

        public static Protocol of(String word) {
            for (Protocol p : values()) {
                if (p.word.equals(word)) {
                    return p;
                }
            }
            throw new IllegalArgumentException("no MQTT protocol '" + word + "'");
        }
    }

    public record Tls(Optional<Path> ca, Optional<Path> cert, Optional<Path> key) {}

    /**
     * @param path          the outbox file; relative paths are against the data directory
     * @param maxBytes      the budget for the database and its WAL together
     * @param commitWindow  longest a reading waits for its group commit
     * @param commitRecords a group commit happens earlier once this many records wait
     */
    public record Store(Path path, long maxBytes, Duration commitWindow, int commitRecords) {}

    public record Health(Duration interval) {}

    /**
     * The {@code ota:} section: where releases live and whom to trust.
     *
     * @param trustedKeys   base64 public keys or {@code .pub} files; several at once for rotation
     * @param pushTokenFile enables the technician push endpoint on {@code pushBind:pushPort}
     * @param watch         a directory to watch for bundles (a USB stick's mount point)
     * @param allowedHosts  the only hosts an offer may download from (none: every offer is refused)
     * @param pushAllowRemote lets the push endpoint bind an address other than loopback (warned about)
     */
    public record Updates(Path root, List<String> trustedKeys, Duration healthDeadline, String pushBind, int pushPort,
                          Optional<Path> pushTokenFile, Optional<Path> watch, List<String> allowedHosts,
                          boolean pushAllowRemote) {
        public Updates {
            trustedKeys = List.copyOf(trustedKeys);
            allowedHosts = List.copyOf(allowedHosts);
        }
    }

    /** One device: its common keys, its driver, and the driver's own typed config. */
    public record Device<C>(DeviceSpec spec, DriverFactory<C> factory, C config) {
        public String id() {
            return spec.id();
        }
    }
}
