package org.streetgate.command;

import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

/**
 * Who may make a gateway move: the platform keys a signed command must come from, which actions
 * need a signature, and how far ahead a signed command may expire. Every actuation needs a
 * signature as soon as one key is configured; only read-only actions, and what the profile relaxes
 * explicitly, go unsigned.
 */
public final class CommandSecurity {
    /** Actions that only read: they never need a signature. */
    public static final Set<String> READ_ONLY = Set.of("status", "ping", "health", "state");
    /** The longest a profile may let signed commands through while the clock is unsynced. */
    public static final Duration MAX_UNSYNCED_GRACE = Duration.ofHours(1);

    /**
     * A trusted platform key.
     *
     * @param id     lower-case hex sha256 of its DER SubjectPublicKeyInfo (the OTA key id)
     * @param scopes {@code device:action} patterns it may sign ({@code *} for any part); empty = all
     */
    public record Key(String id, PublicKey key, Path file, List<String> scopes) {
        public Key {
            scopes = List.copyOf(scopes);
        }

        boolean allows(String device, String action) {
            return scopes.isEmpty() || scopes.stream().anyMatch(p -> matches(p, device, action));
        }
    }

    /**
     * The profile's {@code security:} section.
     *
     * @param unsigned      {@code device:action} patterns allowed without a signature (a relaxation)
     * @param horizon       the furthest ahead a signed command's {@code expires} may lie
     * @param unsyncedGrace how long after boot signed commands pass while the clock is unsynced
     */
    public record Settings(List<Key> keys, List<String> unsigned, Duration horizon, Duration unsyncedGrace) {
        public Settings {
            keys = List.copyOf(keys);
            unsigned = List.copyOf(unsigned);
        }

        public static Settings none() {
            return new Settings(List.of(), List.of(), Duration.ofMinutes(10), Duration.ZERO);
        }

        public boolean enforced() {
            return !keys.isEmpty();
        }
    }

    /** What the router learns from a signed command, once verified. */
    public record Signer(String keyId) {}

    private final Settings settings;
    private final Map<String, Key> byId;
    private final String gatewayId;
    private final LongSupplier wallNow;
    private final BooleanSupplier clockSynced;
    private final LongSupplier sinceBootMs;

    /**
     * @param clockSynced whether the wall clock is plausible (expiry can be judged)
     * @param sinceBootMs monotonic milliseconds since boot, for the unsynced grace
     */
    public CommandSecurity(Settings settings, String gatewayId, LongSupplier wallNow, BooleanSupplier clockSynced,
                           LongSupplier sinceBootMs) {
        this.settings = settings;
        this.byId = settings.keys().stream().collect(Collectors.toUnmodifiableMap(Key::id, k -> k, (a, b) -> a));
        this.gatewayId = gatewayId;
        this.wallNow = wallNow;
        this.clockSynced = clockSynced;
        this.sinceBootMs = sinceBootMs;
    }

    public Settings settings() {
        return settings;
    }

    /** Whether the wall clock can be trusted to judge an expiry. */
    boolean clockSynced() {
        return clockSynced.getAsBoolean();
    }

    /** Checks a JWS's signature and returns the verified payload, or the reason it is refused. */
    Result<Verified> verify(Jws.Parsed jws) {
        Key key = byId.get(jws.keyId());
        if (key == null) {
            return Result.refused("unknown key: " + jws.keyId().substring(0, 12) + "... is not in security.command-keys");
        }
        if (!jws.signedBy(key.key())) {
            return Result.refused("bad signature: the signature does not match key " + key.id().substring(0, 12) + "...");
        }
        return Result.ok(new Verified(jws.payload(), new Signer(key.id())));
    }

    record Verified(byte[] payload, Signer signer) {}

    /**
     * The checks on a verified command's fields: for this gateway, not expired, not too far ahead,
     * and a key allowed to sign this action. Empty when it may run.
     */
    Optional<String> checkSigned(Signer signer, String gateway, String device, String action, Long expires) {
        if (gateway == null) {
            return Optional.of("wrong gateway: a signed command must name its gateway");
        }
        Optional<String> wrong = checkGateway(gateway);
        if (wrong.isPresent()) {
            return wrong;
        }
        Key key = byId.get(signer.keyId());
        if (!key.allows(device, action)) {
            return Optional.of("key not allowed: key " + key.id().substring(0, 12) + "... may not sign " + device + " " + action);
        }
        if (expires == null) {
            return Optional.of("expired: a signed command must carry 'expires'");
        }
        if (!clockSynced.getAsBoolean()) {
            if (sinceBootMs.getAsLong() > settings.unsyncedGrace().toMillis()) {
                return Optional.of("clock unsynced: expiry cannot be judged, so signed commands are refused until the"
                        + " clock is set" + (settings.unsyncedGrace().isZero() ? "" : " (the unsynced grace has passed)"));
            }
            return Optional.empty(); // within the profile's bounded grace; the id check still applies
        }
        long now = wallNow.getAsLong();
        if (expires < now) {
            return Optional.of("expired: expired " + (now - expires) / 1000 + " s ago");
        }
        if (expires - now > settings.horizon().toMillis()) {
            return Optional.of("expires too far ahead: " + (expires - now) / 1000 + " s, more than the horizon of "
                    + settings.horizon().toSeconds() + " s");
        }
        return Optional.empty();
    }

    /** A command that names a gateway must name this one (signed or not). */
    Optional<String> checkGateway(String gateway) {
        return gateway.equals(gatewayId) ? Optional.empty()
                : Optional.of("wrong gateway: meant for " + gateway + ", this is " + gatewayId);
    }

    /** Whether this action may run only when signed. */
    boolean needsSignature(String device, String action) {
        if (!settings.enforced() || READ_ONLY.contains(action)) {
            return false;
        }
        return settings.unsigned().stream().noneMatch(p -> matches(p, device, action));
    }

    /** {@code device:action} with {@code *} for either part. */
    static boolean matches(String pattern, String device, String action) {
        int colon = pattern.indexOf(':');
        if (colon < 0) {
            return false;
        }
        String d = pattern.substring(0, colon);
        String a = pattern.substring(colon + 1);
        return (d.equals("*") || d.equals(device)) && (a.equals("*") || a.equals(action));
    }

    /** A value or the reason there is none. */
    sealed interface Result<T> {
        record Ok<T>(T value) implements Result<T> {}

        record Refused<T>(String reason) implements Result<T> {}

        static <T> Result<T> ok(T value) {
            return new Ok<>(value);
        }

        static <T> Result<T> refused(String reason) {
            return new Refused<>(reason);
        }
    }
}
