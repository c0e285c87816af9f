package org.streetgate.drivers.escpos;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.streetgate.drivers.spi.Command;
import org.streetgate.drivers.spi.CommandException;
import org.streetgate.drivers.spi.DeviceContext;
import org.streetgate.drivers.spi.DeviceStatus;
import org.streetgate.drivers.spi.DeviceThread;
import org.streetgate.drivers.spi.SerialSession;
import org.streetgate.drivers.spi.Driver;
import org.streetgate.drivers.spi.Message;
import org.streetgate.drivers.transport.SerialLink;
import org.tinylog.Logger;

/**
 * A thermal receipt printer. A virtual thread asks for the real-time status (DLE EOT 1..4) every
 * poll and turns changes into {@code printer.paper-out}, {@code printer.paper-low},
 * {@code printer.cover-open}, {@code printer.error} (the DLE EOT 3 cause: cutter, unrecoverable,
 * auto-recoverable) and {@code printer.ready} events and the device status.
 *
 * <p>A job is never lost silently: {@link #print} checks the printer first and, while the paper is
 * out or the cover open, waits (bounded) for someone to fix it; it then sends the job and checks
 * again. It returns printed, or not printed with the reason. One lock keeps a job and a status
 * exchange from interleaving on the line.
 */
public final class EscPosDriver implements Driver {
    /** An answer is 4 bytes; far more waiting is noise, not a late answer to wait out. */
    static final int DRAIN_MAX_BYTES = 256;
    static final Duration DRAIN_MAX_TIME = Duration.ofMillis(30);
    private static final Duration RECHECK = Duration.ofMillis(250);
    private static final Duration AFTER_JOB_ANSWER = Duration.ofSeconds(5);

    private final DeviceContext<EscPosConfig> ctx;
    private final EscPosConfig cfg;
    private final DeviceStatus status;
    private final ReentrantLock line = new ReentrantLock(true);
    private final Object stateLock = new Object();
    private PrinterState last;
    private boolean answered;
    private final DeviceThread worker = new DeviceThread();
    private final SerialSession session;
    private volatile EscPosSimulator simulator;

    public EscPosDriver(DeviceContext<EscPosConfig> ctx) {
        this.ctx = ctx;
        this.cfg = ctx.config();
        this.status = ctx.status();
        this.session = new SerialSession(ctx, worker, this::makeSimulator);
    }

    @Override
    public void start() {
        worker.start("printer " + ctx.deviceId(), () -> session.run(this::serve));
    }

    @Override
    public void stop() {
        worker.stop(session::close);
    }

    @Override
    public DeviceStatus status() {
        return status;
    }

    /** The simulated printer, when this device runs on its simulator (demo profiles, tests). */
    public Optional<EscPosSimulator> simulator() {
        return Optional.ofNullable(simulator);
    }

    /** The printer's state at the last status exchange; empty before the first answer or when it stopped answering. */
    public Optional<PrinterState> lastState() {
        synchronized (stateLock) {
            return Optional.ofNullable(answered ? last : null);
        }
    }

    /**
     * Prints {@code receipt}, waiting up to {@code waitForPaper} for paper or a shut cover. For the
     * kiosk service: the receipt (e.g. with a pickup code) goes straight to the printer and never
     * through the platform or a log.
     */
    public PrintResult print(Receipt receipt, Duration waitForPaper) throws InterruptedException {
        return printBytes(EscPosCodec.receipt(receipt, cfg.chineseMode()), waitForPaper);
    }

    @Override
    public Map<String, Object> execute(Command command) throws InterruptedException {
        return switch (command.action()) {
            case "print" -> printed(print(receiptFrom(command), cfg.waitForPaper()));
            case "test-page" -> printed(print(testPage(), cfg.waitForPaper()));
            case "status" -> {
                PrinterState s = statusNow();
                if (s == null) {
                    throw new CommandException(CommandException.Kind.FAILED, "printer not answering");
                }
                yield describe(s);
            }
            default -> throw CommandException.unknownAction(command.device(), command.action());
        };
    }

    private static Map<String, Object> printed(PrintResult r) {
        if (!r.printed()) {
            throw new CommandException(CommandException.Kind.FAILED, "not printed: " + r.reason());
        }
        return r.state() == null ? Map.of("printed", true) : Map.of("printed", true, "printer", describe(r.state()));
    }

    static Receipt testPage() {
        return new Receipt(List.of(
                Receipt.Line.of("StreetGate").withBold().withSize(2).withAlign(Receipt.Align.CENTER),
                Receipt.Line.of("打印测试页 / Printer test page").withAlign(Receipt.Align.CENTER),
                Receipt.Line.of("中文：取件码 0123456789"),
                Receipt.Line.of("ABCDEFGHIJKLMNOPQRSTUVWXYZ abcdefghijklmnopqrstuvwxyz"),
                Receipt.Line.of("Bold 粗体").withBold(),
                Receipt.Line.of("Right 右对齐").withAlign(Receipt.Align.RIGHT)),
                "https://streetgate.invalid/test-page", true);
    }

    /** {@code args: {lines: [{text, bold, size, align}], qr, cut}}. */
    static Receipt receiptFrom(Command c) {
        List<Receipt.Line> lines = new ArrayList<>();
        Object raw = c.args().get("lines");
        if (raw != null && !(raw instanceof List<?>)) {
            throw bad("'lines' must be a list of {text, bold, size, align}");
        }
        if (raw instanceof List<?> list) {
            for (Object o : list) {
                if (!(o instanceof Map<?, ?> m)) {
                    throw bad("each of 'lines' must be {text, bold, size, align}, not " + o);
                }
                if (!(m.get("text") instanceof String text)) {
                    throw bad("each line needs 'text'");
                }
                boolean bold = m.get("bold") instanceof Boolean b && b;
                int size = 1;
                if (m.get("size") instanceof Number n) {
                    size = n.intValue();
                } else if (m.containsKey("size")) {
                    throw bad("'size' must be 1..8");
                }
                Receipt.Align align = Receipt.Align.LEFT;
                if (m.get("align") instanceof String a) {
                    try {
                        align = Receipt.Align.valueOf(a.toUpperCase(Locale.ROOT));
                    } catch (IllegalArgumentException e) {
                        throw bad("'align' must be left, center or right, not '" + a + "'");
                    }
                }
                try {
                    lines.add(new Receipt.Line(text, bold, size, align));
                } catch (IllegalArgumentException e) {
                    throw bad(e.getMessage());
                }
            }
        }
        Object qr = c.args().get("qr");
        if (qr != null && !(qr instanceof String)) {
            throw bad("'qr' must be text");
        }
        Object cut = c.args().get("cut");
        if (cut != null && !(cut instanceof Boolean)) {
            throw bad("'cut' must be true or false");
        }
        try {
            return new Receipt(lines, (String) qr, cut == null || (Boolean) cut);
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage());
        }
    }

    private static CommandException bad(String message) {
        return new CommandException(CommandException.Kind.BAD_ARGUMENT, message);
    }

    private static Map<String, Object> describe(PrinterState s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("ready", s.ready());
        m.put("paper", s.paperEnd() ? "out" : s.paperNearEnd() ? "low" : "ok");
        m.put("cover", s.coverOpen() ? "open" : "closed");
        m.put("online", !s.offline());
        if (s.error() != null) {
            m.put("error", s.error());
        }
        return m;
    }

    private PrintResult printBytes(byte[] job, Duration waitForPaper) throws InterruptedException {
        long deadline = System.nanoTime() + waitForPaper.toNanos();
        if (!line.tryLock(waitForPaper.toMillis() + 10_000, TimeUnit.MILLISECONDS)) {
            return failed("another job kept the printer busy", null);
        }
        try {
            // Starting up or reconnecting after a pulled cable: the job waits for the port like it waits for paper.
            SerialLink l = awaitLink(deadline);
            if (l == null) {
                return failed("printer port is not open", null);
            }
            PrinterState before = awaitReady(l, deadline);
            if (before == null) {
                return failed("printer not answering", null);
            }
            if (!before.ready()) {
                return failed(before.problem() + " (waited " + seconds(waitForPaper) + ")", before);
            }
            try {
                l.write(job);
            } catch (IOException e) {
                return failed("printer port failed: " + e.getMessage(), before);
            }
            // A printer busy with a job may answer late: keep asking for a while before calling it gone.
            long answerBy = Math.max(deadline, System.nanoTime() + AFTER_JOB_ANSWER.toNanos());
            PrinterState after = exchange(l);
            while (after == null && System.nanoTime() < answerBy) {
                Thread.sleep(RECHECK.toMillis());
                after = exchange(l);
            }
            if (after == null) {
                return failed("printer stopped answering during the job", null);
            }
            if (!after.ready()) {
                // The printer stopped part-way and holds the rest; it continues when fixed.
                Logger.warn("{}: {} during a job; waiting for it to be fixed", ctx.deviceId(), after.problem());
                after = awaitReady(l, deadline);
                if (after == null || !after.ready()) {
                    return failed((after == null ? "printer stopped answering" : after.problem())
                            + " during the job; the printer holds the rest and prints it once fixed", after);
                }
                status.count("jobs_resumed");
            }
            status.count("jobs_printed");
            return PrintResult.ok(after);
        } finally {
            line.unlock();
        }
    }

    private static String seconds(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : String.format(Locale.ROOT, "%.1f s", d.toMillis() / 1000.0);
    }

    private PrintResult failed(String reason, PrinterState s) {
        status.count("jobs_failed");
        Logger.warn("{}: print job failed: {}", ctx.deviceId(), reason);
        return PrintResult.failed(reason, s);
    }

    private SerialLink awaitLink(long deadline) throws InterruptedException {
        SerialLink l = session.link();
        while (l == null && worker.running() && System.nanoTime() < deadline) {
            Thread.sleep(20);
            l = session.link();
        }
        return l;
    }

    /** Asks for the status until the printer is ready or the deadline passes; null when it never answered. */
    private PrinterState awaitReady(SerialLink l, long deadline) throws InterruptedException {
        PrinterState s = exchange(l);
        while ((s == null || !s.ready()) && System.nanoTime() < deadline) {
            Thread.sleep(Math.min(RECHECK.toMillis(), Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
            s = exchange(l);
        }
        return s;
    }

    private PrinterState statusNow() throws InterruptedException {
        if (!line.tryLock(cfg.waitForPaper().toMillis() + 10_000, TimeUnit.MILLISECONDS)) {
            throw new CommandException(CommandException.Kind.FAILED, "printer busy with a long job");
        }
        try {
            SerialLink l = session.link();
            if (l == null) {
                throw new CommandException(CommandException.Kind.FAILED, "printer port is not open");
            }
            return exchange(l);
        } finally {
            line.unlock();
        }
    }

    /** One DLE EOT 1..4 exchange (caller holds the line); publishes what changed. */
    private PrinterState exchange(SerialLink l) throws InterruptedException {
        PrinterState s = null;
        try {
            s = query(l);
        } catch (IOException e) {
            status.error(e.getMessage());
        }
        observe(s, l.name());
        return s;
    }

    private PrinterState query(SerialLink l) throws IOException {
        // Late answers must not be taken for this one; a noisy line must not keep the printer's lock.
        SerialLink.Drained d = l.drain(DRAIN_MAX_BYTES, DRAIN_MAX_TIME);
        if (d.cut()) {
            status.count("noisy_drains");
        }
        if (d.bytes() > 0) {
            status.add("late_bytes", d.bytes());
        }
        l.write(EscPosCodec.statusQueries());
        byte[] b = new byte[4];
        int got = l.readFully(b, 0, 4, cfg.replyTimeout());
        if (got < 4) {
            status.count("timeouts");
            return null;
        }
        for (byte x : b) {
            if (!EscPosCodec.isStatusByte(x & 0xFF)) {
                status.count("bad_status_bytes");
                return null;
            }
        }
        return EscPosCodec.decodeStatus(b[0] & 0xFF, b[1] & 0xFF, b[2] & 0xFF, b[3] & 0xFF);
    }

    private void observe(PrinterState s, String port) throws InterruptedException {
        List<Message.Event> events = new ArrayList<>();
        synchronized (stateLock) {
            if (s == null) {
                if (answered || status.state() != DeviceStatus.State.OFFLINE) {
                    status.offline("printer on " + port + " not answering DLE EOT");
                }
                answered = false;
                return;
            }
            PrinterState prev = last == null ? PrinterState.READY : last;
            Map<String, Object> data = Map.copyOf(describe(s));
            if (s.paperEnd() && !prev.paperEnd()) {
                events.add(event("printer.paper-out", Message.Severity.ALARM, data));
            } else if (s.paperNearEnd() && !s.paperEnd() && !prev.paperNearEnd()) {
                events.add(event("printer.paper-low", Message.Severity.WARNING, data));
            }
            if (s.coverOpen() && !prev.coverOpen()) {
                events.add(event("printer.cover-open", Message.Severity.WARNING, data));
            }
            if (s.error() != null && !s.error().equals(prev.error())) {
                events.add(event("printer.error", Message.Severity.ALARM, data));
            }
            if (s.problem() == null && last != null && last.problem() != null) {
                events.add(event("printer.ready", Message.Severity.INFO, data));
            }
            last = s;
            answered = true;
            if (s.problem() == null) {
                status.ok();
            } else if (status.state() != DeviceStatus.State.DEGRADED
                    || !s.problem().equals(status.snapshot().lastError())) {
                status.degraded(s.problem());
            }
        }
        for (Message.Event e : events) {
            Logger.info("{}: {}", ctx.deviceId(), e.type());
            ctx.sink().accept(e);
        }
    }

    private Message.Event event(String type, Message.Severity severity, Map<String, Object> data) {
        return new Message.Event(ctx.deviceId(), type, severity, data);
    }

    private EscPosSimulator makeSimulator() {
        if (simulator == null) {
            simulator = new EscPosSimulator(cfg.widthDots(), cfg.simOutput());
        }
        return simulator;
    }

    private void serve(SerialLink l) throws IOException, InterruptedException {
        Logger.info("{}: ESC/POS printer on {}", ctx.deviceId(), l.name());
        Duration poll = ctx.poll(Duration.ofSeconds(2));
        while (worker.running()) {
            // A job in progress checks the status itself; the poll just skips a turn.
            if (line.tryLock()) {
                try {
                    PrinterState s = query(l);
                    observe(s, l.name());
                } finally {
                    line.unlock();
                }
            }
            Thread.sleep(poll);
        }
    }
}
