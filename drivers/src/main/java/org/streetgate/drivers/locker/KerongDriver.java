package org.streetgate.drivers.locker;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.streetgate.drivers.spi.Backoff;
import org.streetgate.drivers.spi.Command;
import org.streetgate.drivers.spi.CommandException;
import org.streetgate.drivers.spi.DeviceContext;
import org.streetgate.drivers.spi.DeviceStatus;
import org.streetgate.drivers.spi.DeviceThread;
import org.streetgate.drivers.spi.Driver;
import org.streetgate.drivers.spi.Message;
import org.streetgate.drivers.transport.BusLockTimeoutException;
import org.streetgate.drivers.transport.ReceiveBuffer;
import org.streetgate.drivers.transport.Rs485Bus;
import org.streetgate.drivers.transport.SerialLink;
import org.tinylog.Logger;

/**
 * A parcel locker: KR-CU16 boards on one RS-485 port. A virtual thread polls every board's hooks
 * and infrared sensors and turns changes into {@code door.opened} / {@code door.closed} events. An
 * opening with no unlock command in the last {@link KerongConfig#unlockWindow()} raises
 * {@code locker.door-forced}; a door open longer than {@link KerongConfig#leftOpenAfter()} raises
 * {@code locker.door-left-open} (once per opening).
 *
 * <p>The board never answers an unlock, so {@link #open} asks the board for its state until the
 * door reads open or {@link KerongConfig#confirmTimeout()} passes, and says which. The port belongs to
 * the gateway's {@link Rs485Bus} for it: every query and its reply run as one exchange on the bus, never
 * split by another frame, and the bus reopens the port after a pulled cable.
 */
public final class KerongDriver implements Driver {
    /** A door as last read: {@code known} is false until its board has answered once. */
    public record DoorState(int door, int board, int lock, boolean known, boolean open, boolean occupied) {}

    /** A door that changed: what the kiosk service listens for to confirm a door was shut. */
    public record DoorChange(int door, boolean open, boolean commanded) {}

    /** What {@link #open} achieved: {@code opened} only when the board reported the door open. */
    public record OpenResult(int door, boolean opened, String error) {}

    private final DeviceContext<KerongConfig> ctx;
    private final KerongConfig cfg;
    private final DeviceStatus status;
    private static final Duration BUS_WAIT = Duration.ofSeconds(5);
    /** A late reply is 9 bytes; far more than that is noise on the line, not something to wait out. */
    static final int DRAIN_MAX_BYTES = 256;
    static final Duration DRAIN_MAX_TIME = Duration.ofMillis(30);

    private final List<Consumer<DoorChange>> listeners = new CopyOnWriteArrayList<>();
    private final Object doorsLock = new Object();
    /** Held from a state change to its publication, so events leave in the order the doors moved. */
    private final ReentrantLock eventOrder = new ReentrantLock();
    private final boolean[] known;
    private final boolean[] open;
    private final boolean[] occupied;
    private final boolean[] leftOpenRaised;
    private final long[] openedAt;
    private final long[] commandedAt;
    private final String[] commandReason;
    private final boolean[] boardOnline;
    private boolean polarityChecked;
    private final DeviceThread worker = new DeviceThread();
    private volatile Rs485Bus bus;
    private volatile KerongSimulator simulator;

    public KerongDriver(DeviceContext<KerongConfig> ctx) {
        this.ctx = ctx;
        this.cfg = ctx.config();
        this.status = ctx.status();
        int n = cfg.doors() + 1;
        known = new boolean[n];
        open = new boolean[n];
        occupied = new boolean[n];
        leftOpenRaised = new boolean[n];
        openedAt = new long[n];
        commandedAt = new long[n];
        commandReason = new String[n];
        boardOnline = new boolean[cfg.boards().size()];
    }

    @Override
    public void start() {
        worker.start("locker " + ctx.deviceId(), this::run);
    }

    @Override
    public void stop() {
        // The port stays with the gateway's Hardware, which closes it at shutdown.
        worker.stop();
    }

    @Override
    public DeviceStatus status() {
        return status;
    }

    /** Calls {@code listener} on the polling thread for every door that opens or closes. */
    public void addDoorListener(Consumer<DoorChange> listener) {
        listeners.add(listener);
    }

    public void removeDoorListener(Consumer<DoorChange> listener) {
        listeners.remove(listener);
    }

    public int doorCount() {
        return cfg.doors();
    }

    /** The simulated boards, when this device runs on its simulator (demo profiles, tests). */
    public Optional<KerongSimulator> simulator() {
        return Optional.ofNullable(simulator);
    }

    /** The doors as last polled, 1..N. */
    public List<DoorState> doors() {
        List<DoorState> out = new ArrayList<>();
        synchronized (doorsLock) {
            for (int d = 1; d <= cfg.doors(); d++) {
                out.add(new DoorState(d, cfg.boardOf(d), cfg.lockOf(d), known[d], open[d], occupied[d]));
            }
        }
        return out;
    }

    /**
     * Releases door {@code door} (1..N) and waits until its board reports it open. {@code reason} (e.g.
     * {@code pickup}) goes into the {@code door.opened} event; it must never be a code.
     *
     * @throws IllegalArgumentException when there is no such door
     */
    public OpenResult open(int door, String reason) throws InterruptedException {
        if (door < 1 || door > cfg.doors()) {
            throw new IllegalArgumentException("door must be 1.." + cfg.doors() + ", not " + door);
        }
        long deadline = System.nanoTime() + cfg.confirmTimeout().toNanos();
        Rs485Bus b = bus;
        while (b == null && worker.running() && System.nanoTime() < deadline) {
            Thread.sleep(20); // still starting: give it the same time as a confirmation
            b = bus;
        }
        if (b == null) {
            return new OpenResult(door, false, "locker driver is not running");
        }
        int board = cfg.boardOf(door);
        int lock = cfg.lockOf(door);
        synchronized (doorsLock) {
            commandedAt[door] = System.nanoTime();
            commandReason[door] = reason;
        }
        try {
            b.exchange(BUS_WAIT, link -> {
                link.write(KerongCodec.unlock(board, lock));
                return null;
            });
        } catch (IOException | BusLockTimeoutException e) {
            return new OpenResult(door, false, "unlock not sent: " + e.getMessage());
        }
        status.count("unlocks");
        Logger.info("{}: unlock door {} (board {}, lock {})", ctx.deviceId(), door, board, lock);
        deadline = System.nanoTime() + cfg.confirmTimeout().toNanos();
        boolean answered = false;
        while (true) {
            Thread.sleep(50); // the latch needs a moment to release before the hook switch reads open
            KerongCodec.BoardState s = queryQuietly(b, board);
            if (s != null) {
                answered = true;
                observe(cfg.boards().indexOf(board), s);
                if (cfg.doorOpen(s, lock)) {
                    return new OpenResult(door, true, null);
                }
            }
            if (System.nanoTime() > deadline) {
                break;
            }
        }
        status.count("unlocks_unconfirmed");
        String why = answered
                ? "door " + door + " still reads shut " + cfg.confirmTimeout().toMillis()
                  + " ms after unlock (lock jammed or door blocked)"
                : "board " + board + " did not answer to confirm door " + door;
        Logger.warn("{}: {}", ctx.deviceId(), why);
        return new OpenResult(door, false, why);
    }

    @Override
    public Map<String, Object> execute(Command command) throws InterruptedException {
        switch (command.action()) {
            case "open" -> {
                int door = command.intArg("door");
                if (door < 1 || door > cfg.doors()) {
                    throw new CommandException(CommandException.Kind.BAD_ARGUMENT,
                            "door must be 1.." + cfg.doors() + ", not " + door);
                }
                String reason = command.args().get("reason") instanceof String s ? s : "remote-command";
                OpenResult r = open(door, reason);
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("door", door);
                out.put("opened", r.opened());
                if (r.error() != null) {
                    out.put("error", r.error());
                }
                return out;
            }
            case "status" -> {
                return statusNow();
            }
            default -> throw CommandException.unknownAction(command.device(), command.action());
        }
    }

    /** Asks every board now and returns every door and board. */
    private Map<String, Object> statusNow() throws InterruptedException {
        Rs485Bus b = bus;
        if (b == null) {
            throw new CommandException(CommandException.Kind.FAILED, "locker driver is not running");
        }
        try {
            pollBoards(b);
        } catch (IOException | BusLockTimeoutException e) {
            throw new CommandException(CommandException.Kind.FAILED, "locker board port failed: " + e.getMessage(), e);
        }
        List<Object> boards = new ArrayList<>();
        for (int i = 0; i < cfg.boards().size(); i++) {
            boards.add(Map.of("board", cfg.boards().get(i), "online", boardOnline[i]));
        }
        List<Object> doors = new ArrayList<>();
        for (DoorState d : doors()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("door", d.door());
            m.put("state", !d.known() ? "unknown" : d.open() ? "open" : "closed");
            m.put("occupied", d.occupied());
            doors.add(m);
        }
        return Map.of("boards", boards, "doors", doors);
    }

    private void run() {
        var settings = ctx.spec().serial().orElseThrow(() ->
                new IllegalStateException("device '" + ctx.deviceId() + "' has no serial settings"));
        Rs485Bus b;
        try {
            b = ctx.hardware().rs485(settings, ctx.simulated());
            if (ctx.simulated()) {
                simulator = b.simulator(KerongSimulator.class, () -> new KerongSimulator(cfg));
            }
        } catch (RuntimeException e) {
            // Another device claimed the port with other settings or another simulator: a wiring error.
            status.offline(e.getMessage());
            Logger.error("{}: {}", ctx.deviceId(), e.getMessage());
            return;
        }
        bus = b;
        Logger.info("{}: locker boards {} on {}{}, {} doors", ctx.deviceId(), cfg.boards(), b.port(),
                ctx.simulated() ? " (simulated)" : "", cfg.doors());
        Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30));
        Duration poll = ctx.poll(Duration.ofMillis(500));
        while (worker.running()) {
            long t0 = System.nanoTime();
            Duration wait;
            try {
                int online = pollBoards(b);
                report(online, b.port());
                raiseLeftOpen();
                backoff.reset();
                wait = poll.minusNanos(System.nanoTime() - t0);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (IOException e) {
                // Cable pulled or adapter gone: the bus closed the port and reopens it on the next exchange.
                if (status.state() != DeviceStatus.State.OFFLINE) {
                    Logger.warn("{}: {}; retrying with backoff", ctx.deviceId(), e.getMessage());
                }
                status.offline(e.getMessage());
                status.count("reconnects");
                wait = backoff.next();
            } catch (RuntimeException e) {
                // A bug or a line held too long must not end polling for good.
                Logger.error(e, "{}: poll failed", ctx.deviceId());
                status.degraded(String.valueOf(e.getMessage()));
                wait = poll;
            }
            if (!wait.isNegative() && worker.running()) {
                try {
                    Thread.sleep(wait);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    private void report(int online, String port) {
        if (online == cfg.boards().size()) {
            if (status.state() != DeviceStatus.State.OK && status.state() != DeviceStatus.State.STARTING) {
                Logger.info("{}: every board answers again", ctx.deviceId());
            }
            status.ok();
        } else if (online == 0) {
            status.offline("no lock board answers on " + port);
        } else {
            List<Integer> silent = new ArrayList<>();
            for (int i = 0; i < boardOnline.length; i++) {
                if (!boardOnline[i]) {
                    silent.add(cfg.boards().get(i));
                }
            }
            status.degraded("board(s) " + silent + " not answering");
        }
    }

    /** Queries every board once; returns how many answered. */
    private int pollBoards(Rs485Bus b) throws IOException, InterruptedException {
        int online = 0;
        for (int i = 0; i < cfg.boards().size(); i++) {
            KerongCodec.BoardState s = query(b, cfg.boards().get(i));
            boardOnline[i] = s != null;
            if (s != null) {
                online++;
                observe(i, s);
            }
        }
        return online;
    }

    private KerongCodec.BoardState queryQuietly(Rs485Bus b, int board) throws InterruptedException {
        try {
            return query(b, board);
        } catch (IOException | BusLockTimeoutException e) {
            status.error(e.getMessage());
            return null;
        }
    }

    /** One status query with retries, holding the bus for the whole exchange. */
    private KerongCodec.BoardState query(Rs485Bus b, int board) throws IOException, InterruptedException {
        return b.exchange(BUS_WAIT, l -> {
            for (int attempt = 0; attempt <= cfg.retries(); attempt++) {
                drain(l);
                l.write(KerongCodec.statusQuery(board));
                KerongCodec.BoardState s = awaitReply(l, board);
                if (s != null) {
                    return s;
                }
                status.count("timeouts");
            }
            return null;
        });
    }

    /**
     * Drops bytes left from an earlier exchange (a late reply) so they cannot answer this query. A noisy
     * line never falls silent, so the drain stops after {@link #DRAIN_MAX_BYTES} or {@link #DRAIN_MAX_TIME}
     * (whichever first) and the query goes out anyway: the reply decoder skips noise around a reply.
     * Every discarded byte is counted ({@code late_bytes}); a cut-short drain too ({@code noisy_drains}).
     */
    private void drain(SerialLink l) throws IOException {
        SerialLink.Drained d = l.drain(DRAIN_MAX_BYTES, DRAIN_MAX_TIME);
        if (d.cut()) {
            status.count("noisy_drains");
        }
        if (d.bytes() > 0) {
            status.add("late_bytes", d.bytes());
        }
    }

    private KerongCodec.BoardState awaitReply(SerialLink l, int board) throws IOException {
        ReceiveBuffer rx = new ReceiveBuffer(64);
        long deadline = System.nanoTime() + cfg.replyTimeout().toNanos();
        while (true) {
            switch (KerongCodec.decodeReply(rx.array(), 0, rx.size())) {
                case KerongCodec.StatusReply r -> {
                    rx.consume(r.consumed());
                    if (r.state().board() == board) {
                        return r.state();
                    }
                    status.count("stray_replies");
                }
                case KerongCodec.Skip s -> {
                    rx.consume(s.bytes());
                    status.count(s.reason().startsWith("checksum") ? "bad_frames" : "garbage_bytes");
                }
                case KerongCodec.NeedMore n -> {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return null;
                    }
                    rx.fill(l, Duration.ofNanos(left));
                }
                case KerongCodec.HostCommand h -> {
                    rx.consume(h.consumed()); // a host frame is no reply (decodeReply does not make one)
                    status.count("garbage_bytes");
                }
            }
        }
    }

    /** Compares a board's state with the last one and publishes what changed. */
    private void observe(int boardIndex, KerongCodec.BoardState s) throws InterruptedException {
        eventOrder.lockInterruptibly();
        try {
            compareAndPublish(boardIndex, s);
            checkPolarityOnce();
        } finally {
            eventOrder.unlock();
        }
    }

    /**
     * Once every door has been read after start-up: if all of them read open, the door-sensor
     * polarity is probably the wrong one for these boards (a locker just powered with every door
     * standing open is unlikely). Says so once, in the log and as a warning event, and goes on.
     */
    private void checkPolarityOnce() throws InterruptedException {
        boolean allOpen;
        synchronized (doorsLock) {
            if (polarityChecked) {
                return;
            }
            for (int d = 1; d <= cfg.doors(); d++) {
                if (!known[d]) {
                    return;
                }
            }
            polarityChecked = true;
            allOpen = true;
            for (int d = 1; d <= cfg.doors(); d++) {
                allOpen &= open[d];
            }
        }
        if (allOpen) {
            String other = cfg.doorSensor() == KerongConfig.DoorSensor.CLOSED_WHEN_SET
                    ? KerongConfig.DoorSensor.OPEN_WHEN_SET.wire() : KerongConfig.DoorSensor.CLOSED_WHEN_SET.wire();
            String why = "all " + cfg.doors() + " doors read open at start-up with door-sensor: "
                    + cfg.doorSensor().wire() + "; if they are shut, the boards report " + other;
            Logger.warn("{}: {}", ctx.deviceId(), why);
            status.count("polarity_warnings");
            publish(List.of(event("locker.door-sensor-suspect", Message.Severity.WARNING,
                    Map.of("doors", cfg.doors(), "door_sensor", cfg.doorSensor().wire(), "reason", why))), List.of());
        }
    }

    private void compareAndPublish(int boardIndex, KerongCodec.BoardState s) throws InterruptedException {
        long now = System.nanoTime();
        List<Message.Event> events = new ArrayList<>();
        List<DoorChange> changes = new ArrayList<>();
        synchronized (doorsLock) {
            for (int lock = 0; lock < cfg.doorsPerBoard(); lock++) {
                int d = cfg.door(boardIndex, lock);
                boolean isOpen = cfg.doorOpen(s, lock);
                occupied[d] = s.occupied(lock);
                if (!known[d]) {
                    // First sight after start-up: a state, not a change. An open door starts its clock now.
                    known[d] = true;
                    open[d] = isOpen;
                    openedAt[d] = now;
                    continue;
                }
                if (isOpen == open[d]) {
                    continue;
                }
                open[d] = isOpen;
                if (isOpen) {
                    boolean commanded = commandedAt[d] != 0 && now - commandedAt[d] <= cfg.unlockWindow().toNanos();
                    Map<String, Object> data = new LinkedHashMap<>();
                    data.put("door", d);
                    data.put("commanded", commanded);
                    if (commanded && commandReason[d] != null) {
                        data.put("reason", commandReason[d]);
                    }
                    events.add(event("door.opened", Message.Severity.INFO, data));
                    if (!commanded) {
                        status.count("forced_openings");
                        events.add(event("locker.door-forced", Message.Severity.ALARM, Map.of("door", d)));
                    }
                    commandedAt[d] = 0;
                    commandReason[d] = null;
                    openedAt[d] = now;
                    leftOpenRaised[d] = false;
                    changes.add(new DoorChange(d, true, commanded));
                } else {
                    long openS = (now - openedAt[d]) / 1_000_000_000L;
                    events.add(event("door.closed", Message.Severity.INFO, Map.of("door", d, "open_s", openS)));
                    changes.add(new DoorChange(d, false, false));
                }
            }
        }
        publish(events, changes);
    }

    private void raiseLeftOpen() throws InterruptedException {
        eventOrder.lockInterruptibly();
        try {
            publishLeftOpen();
        } finally {
            eventOrder.unlock();
        }
    }

    private void publishLeftOpen() throws InterruptedException {
        long now = System.nanoTime();
        List<Message.Event> events = new ArrayList<>();
        synchronized (doorsLock) {
            for (int d = 1; d <= cfg.doors(); d++) {
                if (known[d] && open[d] && !leftOpenRaised[d] && now - openedAt[d] >= cfg.leftOpenAfter().toNanos()) {
                    leftOpenRaised[d] = true;
                    long openS = (now - openedAt[d]) / 1_000_000_000L;
                    events.add(event("locker.door-left-open", Message.Severity.ALARM, Map.of("door", d, "open_s", openS)));
                }
            }
        }
        publish(events, List.of());
    }

    private void publish(List<Message.Event> events, List<DoorChange> changes) throws InterruptedException {
        for (Message.Event e : events) {
            if (e.severity() == Message.Severity.ALARM) {
                Logger.warn("{}: {} door {}", ctx.deviceId(), e.type(), e.data().get("door"));
            }
            ctx.sink().accept(e);
        }
        for (DoorChange c : changes) {
            for (Consumer<DoorChange> l : listeners) {
                try {
                    l.accept(c);
                } catch (RuntimeException ex) {
                    Logger.error(ex, "{}: door listener failed", ctx.deviceId());
                }
            }
        }
    }

    private Message.Event event(String type, Message.Severity severity, Map<String, Object> data) {
        return new Message.Event(ctx.deviceId(), type, severity, data);
    }
}
