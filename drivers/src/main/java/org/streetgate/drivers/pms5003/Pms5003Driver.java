package org.streetgate.drivers.pms5003;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.streetgate.drivers.spi.DeviceContext;
import org.streetgate.drivers.spi.DeviceStatus;
import org.streetgate.drivers.spi.DeviceThread;
import org.streetgate.drivers.spi.SerialSession;
import org.streetgate.drivers.spi.Driver;
import org.streetgate.drivers.spi.Message;
import org.streetgate.drivers.transport.ReceiveBuffer;
import org.streetgate.drivers.transport.SerialLink;
import org.tinylog.Logger;

/**
 * Reads a PMS5003 on a UART. In passive mode (the default) it asks for one frame per poll; in active
 * mode it reads the sensor's stream and keeps the newest frame per poll. Between polls longer than
 * {@code wake-ahead} it puts the sensor to sleep and wakes it that long before the next poll, so the
 * fan runs only when needed. All-zero frames mean the fan is still warming up: they are counted and
 * shown as "warming up", never published as zero readings. Garbage and bad checksums are skipped
 * and counted ({@code garbage_bytes}, {@code bad_frames}). A lost port is reopened with backoff
 * while the device shows offline.
 */
public final class Pms5003Driver implements Driver {
    /** Sleeping is not worth it for less than this much time asleep. */
    private static final Duration MIN_SLEEP = Duration.ofSeconds(1);

    private final DeviceContext<Pms5003Config> ctx;
    private final DeviceStatus status;
    private final DeviceThread worker = new DeviceThread();
    private final SerialSession session;
    private Pms5003Frame previous;
    private int unchanged;

    public Pms5003Driver(DeviceContext<Pms5003Config> ctx) {
        this.ctx = ctx;
        this.status = ctx.status();
        this.session = new SerialSession(ctx, worker, () -> new Pms5003Simulator(ctx.deviceId().hashCode()));
    }

    @Override
    public void start() {
        worker.start("pms5003 " + ctx.deviceId(), () -> session.run(this::serve));
    }

    @Override
    public void stop() {
        worker.stop(session::close);
    }

    @Override
    public DeviceStatus status() {
        return status;
    }

    private void serve(SerialLink link) throws IOException, InterruptedException {
        Logger.info("{}: PMS5003 on {} ({} mode)", ctx.deviceId(), link.name(),
                ctx.config().mode().name().toLowerCase(java.util.Locale.ROOT));
        Pms5003Config cfg = ctx.config();
        ReceiveBuffer rx = new ReceiveBuffer(256);
        Duration poll = ctx.poll(Duration.ofSeconds(10));
        boolean passive = cfg.mode() == Pms5003Config.Mode.PASSIVE;
        byte[] modeCommand = passive ? Pms5003Codec.passiveMode() : Pms5003Codec.activeMode();
        // A sensor left asleep by an earlier run answers nothing until woken.
        link.write(Pms5003Codec.wake());
        link.write(modeCommand);
        boolean sleepWorthIt = cfg.sleep() && poll.compareTo(cfg.wakeAhead().plus(MIN_SLEEP)) > 0;
        if (cfg.sleep() && !sleepWorthIt) {
            Logger.info("{}: a poll every {} ms is too short to sleep and wake {} ms ahead; the fan stays on",
                    ctx.deviceId(), poll.toMillis(), cfg.wakeAhead().toMillis());
        }
        long nextPoll = System.nanoTime();
        while (worker.running()) {
            long wakeAt = nextPoll - cfg.wakeAhead().toNanos();
            if (sleepWorthIt && wakeAt - System.nanoTime() > MIN_SLEEP.toNanos()) {
                link.write(Pms5003Codec.sleep());
                status.count("sleeps");
                Thread.sleep(Duration.ofNanos(Math.max(0, wakeAt - System.nanoTime())));
                link.discardInput();
                rx.clear();
                link.write(Pms5003Codec.wake());
                link.write(modeCommand);
            }
            long wait = nextPoll - System.nanoTime();
            if (wait > 0) {
                if (passive) {
                    Thread.sleep(Duration.ofNanos(wait));
                } else {
                    // Active mode: keep the line drained between polls so the frame we take is fresh.
                    rx.fill(link, Duration.ofNanos(Math.min(wait, 200_000_000)));
                    keepNewestTail(rx);
                    continue;
                }
            }
            nextPoll += poll.toNanos();
            if (nextPoll < System.nanoTime()) {
                nextPoll = System.nanoTime() + poll.toNanos(); // fell behind: no burst of catch-up polls
            }
            if (passive) {
                rx.clear();
                link.write(Pms5003Codec.read());
            }
            Pms5003Frame frame = awaitFrame(link, rx, cfg.frameTimeout());
            if (frame == null) {
                // State before counter: whoever sees the count also sees the state.
                status.degraded("no frame from sensor within " + cfg.frameTimeout().toMillis() + " ms");
                status.count("timeouts");
                continue;
            }
            if (frame.warmingUp()) {
                status.degraded("warming up");
                status.count("warmup_frames");
                continue;
            }
            Map<String, String> invalid = frame.invalid();
            Map<String, Double> metrics = new LinkedHashMap<>(frame.metrics());
            if (!invalid.isEmpty()) {
                // Left out, never published as a number; counted so that health shows it.
                metrics.keySet().removeAll(invalid.keySet());
                status.add(DeviceStatus.INVALID_VALUES, invalid.size());
            }
            if (metrics.isEmpty()) {
                status.degraded("every value invalid: " + describe(invalid));
                continue;
            }
            String stuck = stuck(frame);
            if (stuck != null) {
                status.degraded(stuck);
            } else {
                status.ok();
            }
            ctx.sink().accept(new Message.Reading(ctx.deviceId(), metrics));
            status.count("readings");
        }
    }

    private static String describe(Map<String, String> invalid) {
        List<String> parts = new ArrayList<>();
        invalid.forEach((metric, why) -> parts.add(metric + " (" + why + ")"));
        return String.join(", ", parts);
    }

    private String stuck(Pms5003Frame frame) {
        if (ctx.config().stuckAfter() == 0) {
            return null;
        }
        // The particle counts move with every sample of real air; the same frame again means a frozen sensor.
        unchanged = frame.equals(previous) ? unchanged + 1 : 0;
        previous = frame;
        return unchanged >= ctx.config().stuckAfter()
                ? "the same frame for " + unchanged + " polls (sensor stuck?)" : null;
    }

    /** In active mode only the last frame matters; drop older whole frames to bound the buffer. */
    private static void keepNewestTail(ReceiveBuffer rx) {
        if (rx.size() > 4 * Pms5003Codec.FRAME_LENGTH) {
            rx.consume(rx.size() - 2 * Pms5003Codec.FRAME_LENGTH);
        }
    }

    private Pms5003Frame awaitFrame(SerialLink link, ReceiveBuffer rx, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            switch (Pms5003Codec.decodeSensor(rx.array(), 0, rx.size())) {
                case Pms5003Codec.Data d -> {
                    rx.consume(d.consumed());
                    return d.frame();
                }
                case Pms5003Codec.Ack a -> rx.consume(a.consumed());
                case Pms5003Codec.Skip s -> {
                    rx.consume(s.bytes());
                    if (s.reason().startsWith("checksum")) {
                        status.count("bad_frames");
                    } else {
                        status.add("garbage_bytes", s.bytes());
                    }
                }
                case Pms5003Codec.NeedMore n -> {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return null;
                    }
                    rx.fill(link, Duration.ofNanos(left));
                }
                case Pms5003Codec.HostCommand h -> rx.consume(h.consumed()); // decodeSensor makes none
            }
        }
    }
}
