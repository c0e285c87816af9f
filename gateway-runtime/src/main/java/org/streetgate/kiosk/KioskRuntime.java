package org.streetgate.kiosk;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import org.streetgate.command.CommandTarget;
import org.streetgate.drivers.spi.Command;
import org.streetgate.drivers.spi.CommandException;
import org.streetgate.kioskui.KioskPort;
import org.streetgate.kioskui.KioskServer;
import org.tinylog.Logger;

/**
 * The 24-hour kiosk: its service over the locker, printer and scanner, its own SQLite file
 * ({@code kiosk.db}), and the screen's web server. Also the {@code kiosk} command target for the
 * platform: {@code add-parcel}, {@code cancel-parcel}, {@code add-print-job}, {@code open-door},
 * {@code clear-lockout}, {@code status} (see docs/kiosk.md).
 */
public final class KioskRuntime implements AutoCloseable, CommandTarget {
    private static final java.util.regex.Pattern ID = java.util.regex.Pattern.compile("[A-Za-z0-9._:-]{1,64}");

    private final KioskSettings settings;
    private final KioskEnvironment env;
    private final ParcelStore store;
    private final KioskService service;
    private final KioskServer server;

    private KioskRuntime(KioskSettings settings, KioskEnvironment env, ParcelStore store, KioskService service,
                         KioskServer server) {
        this.settings = settings;
        this.env = env;
        this.store = store;
        this.service = service;
        this.server = server;
    }

    /**
     * Opens {@code kiosk.db} under the data directory, attaches to the locker, printer and scanner,
     * and starts the screen's web server. Throws {@link IllegalStateException} with a one-line reason
     * when a device named in {@code kiosk:} is missing or of the wrong kind, or the port is taken.
     */
    public static KioskRuntime start(KioskSettings settings, KioskEnvironment env) {
        try {
            Files.createDirectories(env.dataDir());
        } catch (IOException e) {
            throw new IllegalStateException("cannot create " + env.dataDir() + ": " + e.getMessage(), e);
        }
        ParcelStore store = new ParcelStore(env.dataDir().resolve("kiosk.db"));
        KioskService service = new KioskService(settings, env, store, System::nanoTime);
        KioskServer server;
        try {
            service.start();
            server = KioskServer.start(service, new InetSocketAddress(settings.bind(), settings.port()),
                    KioskServer.Options.defaults().withAllowNonLoopback(settings.allowNonLoopback()));
        } catch (RuntimeException e) {
            service.close();
            store.close();
            throw e;
        }
        Logger.info("kiosk screen on http://{}:{}/ ({} doors, {} parcels waiting)", settings.bind(), server.port(),
                settings.allocator().allDoors().size(), store.count("waiting"));
        return new KioskRuntime(settings, env, store, service, server);
    }

    /** The screen's HTTP port (the real one when the profile says 0). */
    public int port() {
        return server.port();
    }

    /** How many screens are connected for live updates. */
    int liveClients() {
        return server.liveClients();
    }

    /** The screen's port interface, for tests in this package. */
    KioskPort service() {
        return service;
    }

    @Override
    public Map<String, Object> execute(Command command) throws InterruptedException {
        return switch (command.action()) {
            case "add-parcel" -> addParcel(command);
            case "cancel-parcel" -> cancelParcel(command);
            case "add-print-job" -> addPrintJob(command);
            case "open-door" -> service.remoteOpen(door(command), command.id());
            case "clear-lockout" -> clearLockout(command);
            case "status" -> status();
            default -> throw CommandException.unknownAction(command.device(), command.action());
        };
    }

    private static CommandException bad(String reason) {
        return new CommandException(CommandException.Kind.BAD_ARGUMENT, reason);
    }

    private static String id(Command c, String name) {
        String v = c.stringArg(name);
        if (!ID.matcher(v).matches()) {
            throw bad("argument '" + name + "' must be 1-64 letters, digits or . _ : -");
        }
        return v;
    }

    private int door(Command c) {
        int door = c.intArg("door");
        if (!settings.allocator().allDoors().contains(door)) {
            throw bad("argument 'door' must be one of the kiosk's doors (" + settings.doors() + "), not " + door);
        }
        return door;
    }

    /** The secret as a hash: {@code <name>} in clear (hashed here at once) or {@code <name>_hash}, never both. */
    private SecretHash secret(Command c, String name, java.util.function.Predicate<String> valid, String expected) {
        boolean clear = c.args().containsKey(name);
        boolean hashed = c.args().containsKey(name + "_hash");
        if (clear == hashed) {
            throw bad("give exactly one of '" + name + "' and '" + name + "_hash'");
        }
        if (clear && env.signedCommands()) {
            // Every subscriber to cmd (and the broker) would read it: only its hash may travel.
            throw bad("argument '" + name + "' in clear is refused on a gateway with command keys: send '" + name
                    + "_hash' (" + SecretHash.PREFIX + "$<iterations>$<salt>$<hash>, at most "
                    + MAX_PLATFORM_ITERATIONS + " iterations)");
        }
        if (clear) {
            String v = c.stringArg(name);
            if (!valid.test(v)) {
                throw bad("argument '" + name + "' must be " + expected); // never quote it
            }
            return SecretHash.of(v, settings.codeHashIterations());
        }
        SecretHash h;
        try {
            h = SecretHash.parse(c.stringArg(name + "_hash"));
        } catch (IllegalArgumentException e) {
            throw bad("argument '" + name + "_hash': " + e.getMessage());
        }
        // Each wrong code at the screen costs one hash of this parcel's: a huge count would hold
        // the door lock for seconds per guess.
        if (h.iterations() > MAX_PLATFORM_ITERATIONS) {
            throw bad("argument '" + name + "_hash' has " + h.iterations() + " iterations; at most " + MAX_PLATFORM_ITERATIONS);
        }
        if (h.salt().length < 8 || h.salt().length > 64 || h.hash().length != 32) {
            throw bad("argument '" + name + "_hash' needs a salt of 8 to 64 bytes and a 32-byte PBKDF2-SHA256 hash");
        }
        return h;
    }

    /** The most PBKDF2 iterations a platform-made hash may ask of the kiosk per checked code. */
    public static final int MAX_PLATFORM_ITERATIONS = 100_000;

    private long expires(Command c, long now, java.time.Duration fallback) {
        if (!c.args().containsKey("expires")) {
            return now + fallback.toMillis();
        }
        if (!(c.args().get("expires") instanceof Number n) || n.longValue() <= now) {
            throw bad("argument 'expires' must be a future time in milliseconds since the epoch");
        }
        return n.longValue();
    }

    private Map<String, Object> addParcel(Command c) throws InterruptedException {
        String parcel = id(c, "parcel");
        int door = door(c);
        SecretHash code = secret(c, "code", KioskService::isCode, "6 to 8 digits");
        long now = env.clock().getAsLong();
        long expires = expires(c, now, settings.codeExpiry());
        service.lockOps();
        try {
            if (store.hasParcel(parcel)) {
                throw new CommandException(CommandException.Kind.REFUSED, "parcel " + parcel + " is already known");
            }
            if (store.occupiedDoors().contains(door)) {
                throw new CommandException(CommandException.Kind.REFUSED, "door " + door + " already holds a parcel");
            }
            store.addParcel(parcel, door, code, expires, "platform", now);
        } finally {
            serviceUnlock();
        }
        Logger.info("kiosk: parcel {} added to door {} by the platform", parcel, door);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("parcel", parcel);
        out.put("door", door);
        out.put("expires", expires);
        return out;
    }

    private Map<String, Object> cancelParcel(Command c) throws InterruptedException {
        String parcel = id(c, "parcel");
        service.lockOps();
        try {
            if (!store.cancel(parcel, env.clock().getAsLong())) {
                throw new CommandException(CommandException.Kind.REFUSED, "no waiting parcel " + parcel);
            }
        } finally {
            serviceUnlock();
        }
        Logger.info("kiosk: parcel {} cancelled by the platform", parcel);
        return Map.of("parcel", parcel, "cancelled", true);
    }

    private Map<String, Object> addPrintJob(Command c) throws InterruptedException {
        String job = id(c, "job");
        SecretHash qr = secret(c, "qr", v -> v.length() >= 8 && v.length() <= 256, "8 to 256 characters");
        if (!(c.args().get("document") instanceof Map<?, ?> raw)) {
            throw bad("argument 'document' must be an object with 'text' or 'lines'");
        }
        String document;
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> doc = (Map<String, Object>) raw;
            document = PrintJobs.normalize(doc);
        } catch (IllegalArgumentException e) {
            throw bad("argument 'document': " + e.getMessage());
        }
        long now = env.clock().getAsLong();
        long expires = expires(c, now, settings.codeExpiry());
        service.lockOps();
        try {
            if (store.hasPrintJob(job)) {
                throw new CommandException(CommandException.Kind.REFUSED, "print job " + job + " is already known");
            }
            store.addPrintJob(job, qr, document, expires, now);
        } finally {
            serviceUnlock();
        }
        Logger.info("kiosk: print job {} added by the platform", job);
        return Map.of("job", job, "expires", expires);
    }

    /** Lifts a guessing lock-out or suspension: {@code what} is code, courier-pin or technician-pin; absent, all. */
    private Map<String, Object> clearLockout(Command c) throws InterruptedException {
        GuessGuard.Kind kind = null;
        if (c.args().containsKey("what")) {
            kind = GuessGuard.Kind.ofWire(c.stringArg("what"));
            if (kind == null) {
                throw bad("argument 'what' must be code, courier-pin or technician-pin");
            }
        }
        return Map.of("cleared", service.clearLockout(kind, c.id()));
    }

    private Map<String, Object> status() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("parcels_waiting", store.count("waiting"));
        out.put("free_doors", service.allocator().free(service.busy()));
        out.put("screen", KioskService.statusMap(service.status()));
        out.put("guessing", service.guessing());
        return out;
    }

    /**
     * The kiosk's section of the gateway's health report: parcels waiting, connections to the screen,
     * and per guarded secret the wrong attempts and lock-outs counted since installation and the state now.
     */
    public Map<String, Object> health() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("parcels_waiting", store.count("waiting"));
        out.put("wrong_attempts", service.wrongAttempts());
        out.put("guessing", service.guessing());
        out.put("screen_connections", server.openConnections());
        out.put("screen_timed_out", server.timedOutConnections());
        return out;
    }

    /** For the console's periodic line: what a passer-by would see. */
    public String glance() {
        int free = service.allocator().free(service.busy()).values().stream().mapToInt(Integer::intValue).sum();
        return "kiosk: " + free + " of " + service.allocator().allDoors().size() + " doors free, "
                + store.count("waiting") + " parcels waiting";
    }

    private void serviceUnlock() {
        service.unlockOps();
    }

    @Override
    public void close() {
        server.close();
        service.close();
        store.close();
    }
}
