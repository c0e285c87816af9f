package org.streetgate.kiosk;

import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.streetgate.drivers.escpos.EscPosDriver;
import org.streetgate.drivers.escpos.PrintResult;
import org.streetgate.drivers.escpos.PrinterState;
import org.streetgate.drivers.escpos.Receipt;
import org.streetgate.drivers.locker.KerongDriver;
import org.streetgate.drivers.qrscanner.QrScannerDriver;
import org.streetgate.drivers.spi.Driver;
import org.streetgate.drivers.spi.Message;
import org.streetgate.kioskui.KioskException;
import org.streetgate.kioskui.KioskException.Reason;
import org.streetgate.kioskui.KioskPort;
import org.tinylog.Logger;

/**
 * The kiosk's services over its locker, printer and scanner: pickup by code or QR, courier drop-off,
 * document printing, maintenance. Implements the screen's {@link KioskPort}.
 *
 * <p>Secrets: codes and PINs arrive as method arguments, are compared with stored salted hashes and
 * forgotten. They are never logged, never put in an event, never returned, and exception messages
 * never quote them. A new pickup code goes only to the printed receipt.
 *
 * <p>One person uses the screen at a time, so door operations run one at a time under {@link #ops};
 * this also makes "a code opens its door once" hold when two requests race.
 */
final class KioskService implements KioskPort, AutoCloseable {
    static final String DEVICE = "kiosk";
    static final String PICKUP_QR = "sg-pickup:";
    static final String PRINT_QR = "sg-print:";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final DateTimeFormatter EXPIRY = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");

    enum Role { COURIER, TECHNICIAN }

    private record SessionState(Role role, String name, long lastUsedNanos) {}

    private enum Purpose { PICKUP, DROP_OFF, OTHER }

    /** A door the kiosk opened and waits to see shut. */
    private record Opened(Purpose purpose, String parcel, String courier, String size, String via) {}

    private final KioskSettings settings;
    private final KioskEnvironment env;
    private final ParcelStore store;
    private final DoorAllocator allocator;
    private final LongSupplier nanos;
    private final GuessGuard codeGuard;
    private final GuessGuard courierGuard;
    private final GuessGuard technicianGuard;
    private final ReentrantLock ops = new ReentrantLock(true);
    private final Map<Integer, Opened> openDoors = new ConcurrentHashMap<>();
    private final Map<String, SessionState> sessions = new ConcurrentHashMap<>();
    private final List<Consumer<LiveEvent>> listeners = new CopyOnWriteArrayList<>();
    private final Consumer<KerongDriver.DoorChange> doorListener = this::onDoor;
    private final Consumer<String> scanListener = this::onScan;
    private volatile boolean running = true;
    private volatile ScreenStatus lastStatus;
    private Thread ticker;

    KioskService(KioskSettings settings, KioskEnvironment env, ParcelStore store, LongSupplier nanos) {
        this.settings = settings;
        this.env = env;
        this.store = store;
        this.allocator = settings.allocator();
        this.nanos = nanos;
        // Codes and both kinds of QR share one guard: every path to a door spends the same budget.
        this.codeGuard = new GuessGuard(GuessGuard.Kind.CODE, settings.codeAttempts(), settings.codeBudget(),
                env.clock(), store, this::emit);
        this.courierGuard = new GuessGuard(GuessGuard.Kind.COURIER_PIN, settings.pinAttempts(), settings.pinBudget(),
                env.clock(), store, this::emit);
        this.technicianGuard = new GuessGuard(GuessGuard.Kind.TECHNICIAN_PIN, settings.pinAttempts(),
                settings.pinBudget(), env.clock(), store, this::emit);
    }

    /** Checks the devices exist and are of the right kind, then listens to doors and scans. */
    void start() {
        KerongDriver locker = device(settings.locker(), KerongDriver.class, "kiosk.locker", "locker-board");
        int missing = (int) allocator.allDoors().stream().filter(d -> d > locker.doorCount()).count();
        if (missing > 0) {
            throw new IllegalStateException("kiosk.doors lists " + missing + " door(s) beyond the locker's "
                    + locker.doorCount());
        }
        locker.addDoorListener(doorListener);
        if (settings.printer() != null) {
            device(settings.printer(), EscPosDriver.class, "kiosk.printer", "escpos-printer");
        }
        if (settings.scanner() != null) {
            device(settings.scanner(), QrScannerDriver.class, "kiosk.scanner", "qr-scanner").addScanListener(scanListener);
        }
        ticker = Thread.ofVirtual().name("kiosk status").start(this::tick);
    }

    private <T extends Driver> T device(String id, Class<T> type, String key, String driverName) {
        Driver d = env.devices().apply(id);
        if (d == null) {
            throw new IllegalStateException(key + ": no device '" + id + "' in the profile");
        }
        if (!type.isInstance(d)) {
            throw new IllegalStateException(key + ": device '" + id + "' is not a " + driverName);
        }
        return type.cast(d);
    }

    private KerongDriver locker() {
        return (KerongDriver) env.devices().apply(settings.locker());
    }

    private Optional<EscPosDriver> printer() {
        return settings.printer() == null ? Optional.empty()
                : Optional.ofNullable((EscPosDriver) env.devices().apply(settings.printer()));
    }

    // ---- pickup ----

    @Override
    public Pickup pickupByCode(int door, String code) throws InterruptedException {
        return pickup(door, code, "code");
    }

    /** {@code sg-pickup:<door>:<code>}; anything else is a wrong attempt like a wrong code. */
    @Override
    public Pickup pickupByQr(String qr) throws InterruptedException {
        String s = qr.strip();
        java.util.regex.Matcher m = PICKUP_QR_FORM.matcher(s);
        return m.matches() ? pickup(Integer.parseInt(m.group(1)), m.group(2), "qr") : pickup(0, "", "qr");
    }

    private static final java.util.regex.Pattern PICKUP_QR_FORM =
            java.util.regex.Pattern.compile(java.util.regex.Pattern.quote(PICKUP_QR) + "([1-9][0-9]{0,2}):([0-9]{6,8})");

    private Pickup pickup(int door, String code, String via) throws InterruptedException {
        codeGuard.check();
        lockOps();
        try {
            codeGuard.check();
            long now = env.clock().getAsLong();
            Optional<ParcelStore.Parcel> parcel = isCode(code) ? findByCode(door, code, now) : Optional.empty();
            if (parcel.isEmpty()) {
                codeGuard.wrong();
                throw new KioskException(Reason.WRONG_CODE, "no waiting parcel for that " + via);
            }
            codeGuard.right();
            ParcelStore.Parcel p = parcel.get();
            if (!store.transition(p.id(), ParcelStore.State.WAITING, ParcelStore.State.OPENING, now)) {
                throw new KioskException(Reason.WRONG_CODE, "parcel " + p.id() + " is no longer waiting");
            }
            openDoors.put(p.door(), new Opened(Purpose.PICKUP, p.id(), null, null, via));
            KerongDriver.OpenResult r = openDoor(p.door(), "pickup", Map.of("parcel", p.id()));
            if (!r.opened()) {
                openDoors.remove(p.door());
                store.transition(p.id(), ParcelStore.State.OPENING, ParcelStore.State.WAITING, env.clock().getAsLong());
                throw new KioskException(Reason.DOOR_FAILED, "door " + p.door() + " did not open: " + r.error());
            }
            store.transition(p.id(), ParcelStore.State.OPENING, ParcelStore.State.PICKED_UP, env.clock().getAsLong());
            return new Pickup(p.door());
        } finally {
            ops.unlock();
        }
    }

    static boolean isCode(String code) {
        return code != null && code.length() >= 6 && code.length() <= 8 && code.chars().allMatch(c -> c >= '0' && c <= '9');
    }

    /**
     * Checks the code against the salted hash of the parcel waiting in {@code door}, and no other: a
     * guess can hit one parcel, whatever the number waiting (docs/security.md), and costs one hash.
     */
    private Optional<ParcelStore.Parcel> findByCode(int door, String code, long now) {
        for (ParcelStore.Parcel p : store.waiting(now)) {
            if (p.door() == door && p.code().matches(code)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    /** Wrong attempts and lock-outs per guarded secret, for health and the {@code status} command. */
    Map<String, Object> guessing() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (GuessGuard g : List.of(codeGuard, courierGuard, technicianGuard)) {
            m.put(kindOf(g).wire, g.health());
        }
        return m;
    }

    /** Wrong attempts at the screen since the kiosk was installed, all kinds together. */
    long wrongAttempts() {
        return codeGuard.wrongTotal() + courierGuard.wrongTotal() + technicianGuard.wrongTotal();
    }

    private GuessGuard.Kind kindOf(GuessGuard g) {
        return g == codeGuard ? GuessGuard.Kind.CODE : g == courierGuard ? GuessGuard.Kind.COURIER_PIN
                : GuessGuard.Kind.TECHNICIAN_PIN;
    }

    /** The platform's {@code clear-lockout}: {@code kind} null clears all three. */
    List<String> clearLockout(GuessGuard.Kind kind, String commandId) throws InterruptedException {
        List<String> cleared = new ArrayList<>();
        for (GuessGuard g : List.of(codeGuard, courierGuard, technicianGuard)) {
            if (kind == null || kindOf(g) == kind) {
                g.clear(commandId);
                cleared.add(kindOf(g).wire);
            }
        }
        return cleared;
    }

    // ---- doors ----

    /** Opens a door and records why; the audit event never holds a code or PIN. */
    private KerongDriver.OpenResult openDoor(int door, String reason, Map<String, Object> extra)
            throws InterruptedException {
        KerongDriver.OpenResult r;
        try {
            r = locker().open(door, reason);
        } catch (IllegalArgumentException e) {
            throw new KioskException(Reason.NOT_FOUND, e.getMessage());
        }
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("door", door);
        data.put("reason", reason);
        data.putAll(extra);
        if (r.opened()) {
            Logger.info("kiosk: door {} opened ({})", door, reason);
            emit("kiosk.door-opened", Message.Severity.INFO, data);
        } else {
            data.put("error", Objects.toString(r.error(), "unknown"));
            Logger.warn("kiosk: door {} did not open ({}): {}", door, reason, r.error());
            emit("kiosk.door-failed", Message.Severity.WARNING, data);
        }
        return r;
    }

    /** Called on the locker's polling thread: hand the work to a virtual thread and return. */
    private void onDoor(KerongDriver.DoorChange change) {
        if (change.open()) {
            return;
        }
        Opened opened = openDoors.remove(change.door());
        push("door-closed", Map.of("door", change.door()));
        if (opened == null) {
            return;
        }
        Thread.ofVirtual().name("kiosk door " + change.door()).start(() -> {
            try {
                switch (opened.purpose()) {
                    case PICKUP -> emit("parcel.picked-up", Message.Severity.INFO,
                            Map.of("parcel", opened.parcel(), "door", change.door(), "via", opened.via(), "door_closed", true));
                    case DROP_OFF -> finishDropOff(change.door(), opened);
                    case OTHER -> { }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                Logger.error(e, "kiosk: after door {} closed", change.door());
                if (opened.purpose() == Purpose.DROP_OFF) {
                    // The parcel is behind a shut door with no code: someone has to come. Say so loudly.
                    push("deposit-done", Map.of("door", change.door(), "printed", false));
                    try {
                        emit("kiosk.drop-off-failed", Message.Severity.ALARM, Map.of("door", change.door(),
                                "parcel", opened.parcel(), "error", e.getClass().getSimpleName()));
                    } catch (InterruptedException ie) {
                        Thread.currentThread().interrupt();
                    }
                }
            }
        });
    }

    private Set<Integer> busyDoors() {
        Set<Integer> busy = new HashSet<>(store.occupiedDoors());
        busy.addAll(openDoors.keySet());
        for (KerongDriver.DoorState d : locker().doors()) {
            if (!d.known() || d.open() || d.occupied()) {
                busy.add(d.door());
            }
        }
        return busy;
    }

    // ---- courier drop-off ----

    @Override
    public Session courierLogin(String pin) {
        courierGuard.check();
        for (KioskSettings.Courier c : settings.couriers()) {
            if (c.pin().matches(pin)) {
                courierGuard.right();
                return newSession(Role.COURIER, c.name());
            }
        }
        try {
            courierGuard.wrong();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new KioskException(Reason.WRONG_CODE, "wrong courier PIN");
    }

    @Override
    public List<DoorSize> freeDoors(String courierSession) {
        session(courierSession, Role.COURIER);
        List<DoorSize> out = new ArrayList<>();
        allocator.free(busyDoors()).forEach((size, n) -> out.add(new DoorSize(size, n)));
        return out;
    }

    @Override
    public Deposit deposit(String courierSession, String size) throws InterruptedException {
        SessionState courier = session(courierSession, Role.COURIER);
        if (!allocator.sizes().containsKey(size)) {
            throw new KioskException(Reason.BAD_REQUEST, "no door size '" + size + "'");
        }
        lockOps();
        try {
            // The code reaches the recipient only on the receipt: no printer, no drop-off.
            String problem = printerProblem();
            if (problem != null) {
                throw new KioskException(Reason.PRINTER_UNAVAILABLE, "printer " + problem + ": drop-off paused");
            }
            int door = allocator.allocate(size, busyDoors())
                    .orElseThrow(() -> new KioskException(Reason.NO_FREE_DOOR, "no free door of size " + size));
            String parcel = "p-" + HexFormat.of().formatHex(randomBytes(6));
            openDoors.put(door, new Opened(Purpose.DROP_OFF, parcel, courier.name(), size, null));
            KerongDriver.OpenResult r = openDoor(door, "drop-off", Map.of("parcel", parcel, "courier", courier.name()));
            if (!r.opened()) {
                openDoors.remove(door);
                throw new KioskException(Reason.DOOR_FAILED, "door " + door + " did not open: " + r.error());
            }
            return new Deposit(door, size);
        } finally {
            ops.unlock();
        }
    }

    /** The door is shut on a parcel: make its code, store the hash, print the receipt, tell the platform. */
    private void finishDropOff(int door, Opened o) throws InterruptedException {
        long now = env.clock().getAsLong();
        long expires = now + settings.codeExpiry().toMillis();
        String code;
        lockOps(); // only while making the code unique and storing it; printing may wait for paper
        try {
            code = newCode();
            store.addParcel(o.parcel(), door, SecretHash.of(code, settings.codeHashIterations()), expires, "drop-off", now);
        } finally {
            ops.unlock();
        }
        PrintResult printed = printReceipt(pickupReceipt(code, door, o.parcel(), expires));
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("parcel", o.parcel());
        data.put("door", door);
        data.put("size", o.size());
        data.put("courier", o.courier());
        data.put("expires", expires);
        data.put("receipt_printed", printed.printed());
        if (!printed.printed()) {
            data.put("receipt_error", Objects.toString(printed.reason(), "unknown"));
        }
        emit("parcel.deposited", Message.Severity.INFO, data);
        Logger.info("kiosk: parcel {} deposited in door {} by {}; receipt {}", o.parcel(), door, o.courier(),
                printed.printed() ? "printed" : "NOT printed: " + printed.reason());
        Map<String, Object> done = new LinkedHashMap<>();
        done.put("door", door);
        done.put("parcel", o.parcel());
        done.put("printed", printed.printed());
        push("deposit-done", done);
    }

    /** A fresh random code; it opens only its own door, so it need not differ from other doors' codes. */
    private String newCode() {
        StringBuilder sb = new StringBuilder();
        sb.append((char) ('1' + RANDOM.nextInt(9))); // no leading zero: people drop them
        for (int i = 1; i < settings.codeLength(); i++) {
            sb.append((char) ('0' + RANDOM.nextInt(10)));
        }
        return sb.toString();
    }

    private Receipt pickupReceipt(String code, int door, String parcel, long expires) {
        String until = EXPIRY.format(Instant.ofEpochMilli(expires).atZone(ZoneId.systemDefault()));
        return new Receipt(List.of(
                line("取件凭条", true, 2, Receipt.Align.CENTER),
                line("Pickup receipt", true, 1, Receipt.Align.CENTER),
                line("柜门 Door " + door, true, 2, Receipt.Align.CENTER),
                line("取件码 Pickup code", false, 1, Receipt.Align.CENTER),
                line(code, true, 3, Receipt.Align.CENTER),
                line("有效期至 Valid until " + until, false, 1, Receipt.Align.LEFT),
                line("包裹 Parcel " + parcel, false, 1, Receipt.Align.LEFT),
                line("在柜机输入柜门号和取件码，或扫描二维码", false, 1, Receipt.Align.LEFT),
                line("Enter the door number and code, or scan the QR", false, 1, Receipt.Align.LEFT)),
                PICKUP_QR + door + ":" + code, true);
    }

    static Receipt.Line line(String text, boolean bold, int size, Receipt.Align align) {
        return new Receipt.Line(text, bold, size, align);
    }

    private PrintResult printReceipt(Receipt receipt) throws InterruptedException {
        Optional<EscPosDriver> printer = printer();
        if (printer.isEmpty()) {
            return PrintResult.failed("no printer", null);
        }
        return printer.get().print(receipt, settings.printWait());
    }

    // ---- document printing ----

    @Override
    public PrintOutcome printByQr(String qr) throws InterruptedException {
        codeGuard.check();
        String s = qr.strip();
        String token = s.startsWith(PRINT_QR) ? s.substring(PRINT_QR.length()) : s;
        lockOps();
        try {
            long now = env.clock().getAsLong();
            ParcelStore.PrintJob job = null;
            for (ParcelStore.PrintJob j : store.waitingPrintJobs(now)) {
                if (j.qr().matches(token)) {
                    job = j;
                    break;
                }
            }
            if (job == null) {
                codeGuard.wrong();
                throw new KioskException(Reason.WRONG_CODE, "no print job for that QR");
            }
            codeGuard.right();
            String problem = printerProblem();
            if (problem != null) {
                throw new KioskException(Reason.PRINTER_UNAVAILABLE, "printer " + problem);
            }
            PrintResult r = printReceipt(PrintJobs.receipt(job.document()));
            if (!r.printed()) {
                emit("print.job-failed", Message.Severity.WARNING, Map.of("job", job.id(),
                        "reason", Objects.toString(r.reason(), "unknown")));
                throw new KioskException(Reason.PRINTER_UNAVAILABLE, "job " + job.id() + " not printed: " + r.reason());
            }
            store.printJobDone(job.id(), "printed", env.clock().getAsLong());
            emit("print.job-printed", Message.Severity.INFO, Map.of("job", job.id()));
            return new PrintOutcome(true, job.id());
        } finally {
            ops.unlock();
        }
    }

    // ---- the scanner ----

    /** Called on the scanner's reading thread; the work runs on its own virtual thread. */
    /**
     * Runs on the scanner driver's delivery thread, one scan at a time: scans that come while one
     * is handled wait in the driver's bounded queue (overflow counted as scans_dropped), instead of
     * each starting a thread of its own.
     */
    private void onScan(String code) {
        try {
            if (code.strip().startsWith(PRINT_QR)) {
                PrintOutcome r = printByQr(code);
                push("print", Map.of("printed", r.printed(), "job", r.job()));
            } else {
                Pickup p = pickupByQr(code);
                push("pickup", Map.of("door", p.door()));
            }
        } catch (KioskException e) {
            Map<String, Object> data = new LinkedHashMap<>();
            data.put("error", e.reason().wire());
            if (e.retryAfterSeconds() > 0) {
                data.put("retry_after_s", e.retryAfterSeconds());
            }
            push(code.strip().startsWith(PRINT_QR) && e.reason() == Reason.PRINTER_UNAVAILABLE ? "print" : "scan-error",
                    e.reason() == Reason.PRINTER_UNAVAILABLE
                            ? Map.of("printed", false, "error", e.reason().wire()) : data);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // The message might quote the scanned text: log the type only.
            Logger.error("kiosk: handling a scan failed with {}", e.getClass().getName());
            push("scan-error", Map.of("error", "internal"));
        }
    }

    // ---- status for the screen ----

    /** Why the printer cannot print now, as the screen's word for it; null when it can. */
    private String printerProblem() {
        Optional<EscPosDriver> printer = printer();
        if (printer.isEmpty()) {
            return settings.printer() == null ? "none" : "offline";
        }
        Optional<PrinterState> s = printer.get().lastState();
        if (s.isEmpty()) {
            return "offline";
        }
        PrinterState p = s.get();
        if (p.paperEnd()) {
            return "paper-out";
        }
        if (p.coverOpen()) {
            return "cover-open";
        }
        if (p.error() != null) {
            return "error";
        }
        return p.offline() ? "offline" : null;
    }

    @Override
    public ScreenStatus status() {
        String problem = printerProblem();
        boolean paperLow = printer().flatMap(EscPosDriver::lastState).map(PrinterState::paperNearEnd).orElse(false);
        return new ScreenStatus(env.platformOnline().getAsBoolean(), problem == null,
                "none".equals(problem) ? null : problem, paperLow, (int) settings.idleTimeout().toSeconds(),
                settings.languages(), 6, 8, env.version());
    }

    private static final long PURGE_EVERY_MILLIS = TimeUnit.HOURS.toMillis(1);

    /** Removes what the retention period is over for; at start and then hourly, from the ticker. */
    void purge() {
        long now = env.clock().getAsLong();
        ParcelStore.Purged p = store.purge(now - settings.retention().toMillis());
        if (p.parcels() + p.printJobs() > 0) {
            Logger.info("kiosk: removed {} finished parcel(s) and {} print job(s) older than {} from kiosk.db",
                    p.parcels(), p.printJobs(), settings.retention());
        }
    }

    private void tick() {
        long lastPurge = Long.MIN_VALUE;
        while (running) {
            try {
                long now = env.clock().getAsLong();
                if (lastPurge == Long.MIN_VALUE || now - lastPurge >= PURGE_EVERY_MILLIS || now < lastPurge) {
                    lastPurge = now;
                    purge();
                }
                Thread.sleep(500);
                for (ParcelStore.Parcel p : store.expire(env.clock().getAsLong())) {
                    Logger.info("kiosk: parcel {} in door {} expired uncollected", p.id(), p.door());
                    emit("parcel.expired", Message.Severity.WARNING, Map.of("parcel", p.id(), "door", p.door(),
                            "source", p.source(), "expires", p.expires()));
                }
                ScreenStatus s = status();
                if (!s.equals(lastStatus)) {
                    if (lastStatus != null && lastStatus.platformOnline() != s.platformOnline()) {
                        Logger.info("kiosk: platform {}", s.platformOnline() ? "reachable" : "unreachable; pickup continues offline");
                    }
                    lastStatus = s;
                    push("status", statusMap(s));
                }
                long cutoff = nanos.getAsLong() - settings.idleTimeout().toNanos() - TimeUnit.SECONDS.toNanos(30);
                sessions.values().removeIf(x -> x.lastUsedNanos() - cutoff < 0);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                Logger.warn("kiosk: status: {}", e.getMessage());
            }
        }
    }

    static Map<String, Object> statusMap(ScreenStatus s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("platform_online", s.platformOnline());
        m.put("printer_ready", s.printerReady());
        m.put("printer_problem", s.printerProblem());
        m.put("paper_low", s.paperLow());
        m.put("idle_timeout_seconds", s.idleTimeoutSeconds());
        m.put("languages", s.languages());
        m.put("code_min_length", s.codeMinLength());
        m.put("code_max_length", s.codeMaxLength());
        m.put("version", s.version());
        return m;
    }

    // ---- maintenance ----

    @Override
    public Session technicianLogin(String pin) {
        if (settings.technicianPin() == null) {
            throw new KioskException(Reason.NOT_FOUND, "this kiosk has no maintenance PIN configured");
        }
        technicianGuard.check();
        // The PIN's declared length is checked first: a shorter PIN is a wrong one, never hashed.
        boolean shaped = pin.length() == settings.technicianPinDigits() && pin.chars().allMatch(c -> c >= '0' && c <= '9');
        if (shaped && settings.technicianPin().matches(pin)) {
            technicianGuard.right();
            Logger.info("kiosk: technician logged in");
            return newSession(Role.TECHNICIAN, "technician");
        }
        try {
            technicianGuard.wrong();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        throw new KioskException(Reason.WRONG_CODE, "wrong technician PIN");
    }

    @Override
    public Map<String, Object> maintenance(String technicianSession) {
        session(technicianSession, Role.TECHNICIAN);
        Map<String, Object> health = env.health().get();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", env.version());
        m.put("platform_online", env.platformOnline().getAsBoolean());
        Object buffer = health.get("buffer");
        if (buffer instanceof Map<?, ?> b) {
            m.put("buffer_rows", b.get("rows"));
            m.put("oldest_unsent_age_s", b.get("oldest_unsent_age_s"));
        }
        if (health.get("uplink") instanceof Map<?, ?> u && u.get("last_sync_ts") != null) {
            m.put("last_sync", u.get("last_sync_ts"));
        }
        m.put("devices", health.getOrDefault("devices", Map.of()));
        m.put("parcels_waiting", store.count("waiting"));
        m.put("printer", printerMap());
        m.put("doors", doorsList());
        return m;
    }

    @Override
    public Map<String, Object> maintenanceAction(String technicianSession, String action, Map<String, Object> args)
            throws InterruptedException {
        session(technicianSession, Role.TECHNICIAN);
        switch (action) {
            case "open-door" -> {
                if (!(args.get("door") instanceof Number n)) {
                    throw new KioskException(Reason.BAD_REQUEST, "'door' must be a number");
                }
                return openOutsideAParcel(n.intValue(), "technician", Map.of());
            }
            case "print-test" -> {
                PrintResult r = printReceipt(new Receipt(List.of(
                        line("StreetGate", true, 2, Receipt.Align.CENTER),
                        line("打印测试页 Printer test page", false, 1, Receipt.Align.CENTER),
                        line("版本 Version " + env.version(), false, 1, Receipt.Align.LEFT)),
                        "https://streetgate.invalid/test-page", true));
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("printed", r.printed());
                if (r.reason() != null) {
                    out.put("reason", r.reason());
                }
                return out;
            }
            case "read-sensors" -> {
                return Map.of("doors", doorsList(), "printer", printerMap());
            }
            default -> throw new KioskException(Reason.NOT_FOUND, "no maintenance action '" + action + "'");
        }
    }

    private List<Object> doorsList() {
        List<Object> doors = new ArrayList<>();
        for (KerongDriver.DoorState d : locker().doors()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("door", d.door());
            m.put("size", allocator.sizeOf(d.door()).orElse("-"));
            m.put("state", !d.known() ? "unknown" : d.open() ? "open" : "closed");
            m.put("occupied", d.occupied());
            doors.add(m);
        }
        return doors;
    }

    private Map<String, Object> printerMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("configured", settings.printer() != null);
        String problem = printerProblem();
        m.put("ready", problem == null);
        if (problem != null) {
            m.put("problem", problem);
        }
        return m;
    }

    // ---- sessions ----

    private Session newSession(Role role, String name) {
        String token = HexFormat.of().formatHex(randomBytes(16));
        sessions.put(token, new SessionState(role, name, nanos.getAsLong()));
        return new Session(token, name);
    }

    private SessionState session(String token, Role role) {
        SessionState s = token == null ? null : sessions.get(token);
        long now = nanos.getAsLong();
        if (s == null || s.role() != role || now - s.lastUsedNanos() > settings.idleTimeout().toNanos() + TimeUnit.SECONDS.toNanos(30)) {
            if (s != null) {
                sessions.remove(token);
            }
            throw new KioskException(Reason.NOT_LOGGED_IN, "no " + role.name().toLowerCase(java.util.Locale.ROOT) + " session");
        }
        SessionState touched = new SessionState(s.role(), s.name(), now);
        sessions.put(token, touched);
        return touched;
    }

    @Override
    public void endSession(String session) {
        sessions.remove(session);
    }

    // ---- live updates and events ----

    @Override
    public AutoCloseable subscribe(Consumer<LiveEvent> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    void push(String type, Map<String, Object> data) {
        LiveEvent e = new LiveEvent(type, data);
        for (Consumer<LiveEvent> l : listeners) {
            try {
                l.accept(e);
            } catch (RuntimeException ex) {
                Logger.warn("kiosk: live update listener failed: {}", ex.getClass().getName());
            }
        }
    }

    void emit(String type, Message.Severity severity, Map<String, Object> data) throws InterruptedException {
        env.events().accept(new Message.Event(DEVICE, type, severity, data));
    }

    void lockOps() throws InterruptedException {
        if (!ops.tryLock(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("kiosk busy: another door operation has not finished in 30 s");
        }
    }

    void unlockOps() {
        ops.unlock();
    }

    /** Opens a door for the platform's {@code open-door} command. */
    Map<String, Object> remoteOpen(int door, String commandId) throws InterruptedException {
        return openOutsideAParcel(door, "remote-command", Map.of("command", commandId));
    }

    /** Opens a door that no pickup or drop-off asked for (technician, platform), audited with its reason. */
    private Map<String, Object> openOutsideAParcel(int door, String reason, Map<String, Object> audit)
            throws InterruptedException {
        lockOps();
        try {
            openDoors.putIfAbsent(door, new Opened(Purpose.OTHER, null, null, null, null));
            KerongDriver.OpenResult r = openDoor(door, reason, audit);
            if (!r.opened()) {
                openDoors.remove(door);
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("door", door);
            out.put("opened", r.opened());
            if (r.error() != null) {
                out.put("error", r.error());
            }
            return out;
        } finally {
            ops.unlock();
        }
    }

    Set<Integer> busy() {
        return busyDoors();
    }

    DoorAllocator allocator() {
        return allocator;
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    @Override
    public void close() {
        running = false;
        if (ticker != null) {
            ticker.interrupt();
        }
        Driver l = env.devices().apply(settings.locker());
        if (l instanceof KerongDriver k) {
            k.removeDoorListener(doorListener);
        }
        if (settings.scanner() != null && env.devices().apply(settings.scanner()) instanceof QrScannerDriver q) {
            q.removeScanListener(scanListener);
        }
    }
}
