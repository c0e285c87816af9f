package org.streetgate.drivers.pms5003;

import java.io.IOException;
import java.time.Duration;
import org.streetgate.drivers.spi.Backoff;
import org.streetgate.drivers.spi.DeviceContext;
import org.streetgate.drivers.spi.DeviceStatus;
import org.streetgate.drivers.spi.Driver;
import org.streetgate.drivers.spi.Message;
import org.streetgate.drivers.transport.ReceiveBuffer;
import org.streetgate.drivers.transport.SerialLink;
import org.tinylog.Logger;

/**
 * Reads a PMS5003 on a UART. In passive mode (the default) it asks for one frame per poll; in active
 * mode it reads the sensor's stream and keeps the newest frame per poll. All-zero frames mean the
 * fan is still warming up: they are counted, never published as zero readings. A lost port is
 * reopened with backoff while the device shows offline.
 */
public final class Pms5003Driver implements Driver {
    private final DeviceContext<Pms5003Config> ctx;
    private final DeviceStatus status;
    private volatile boolean running;
    private volatile Thread worker;
    private volatile SerialLink link;

    public Pms5003Driver(DeviceContext<Pms5003Config> ctx) {
        this.ctx = ctx;
        this.status = ctx.status();
    }

    @Override
    public void start() {
        running = true;
        worker = Thread.ofVirtual().name("pms5003 " + ctx.deviceId()).start(this::run);
    }

    @Override
    public void stop() {
        running = false;
        Thread t = worker;
        if (t != null) {
            t.interrupt();
        }
        closeLink();
        if (t != null) {
            try {
                t.join(Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public DeviceStatus status() {
        return status;
    }

    private void run() {
        Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30));
        while (running) {
            try {
                link = ctx.openSerial(() -> new Pms5003Simulator(ctx.deviceId().hashCode()));
                Logger.info("{}: PMS5003 on {} ({} mode)", ctx.deviceId(), link.name(),
                        ctx.config().mode().name().toLowerCase(java.util.Locale.ROOT));
                backoff.reset();
                serve(link);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (IOException e) {
                if (!running) {
                    return;
                }
                status.offline(e.getMessage());
                status.count("reconnects");
                Logger.warn("{}: {}", ctx.deviceId(), e.getMessage());
            } finally {
                closeLink();
            }
            if (!running) {
                return;
            }
            try {
                Thread.sleep(backoff.next());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private void serve(SerialLink link) throws IOException, InterruptedException {
        ReceiveBuffer rx = new ReceiveBuffer(256);
        Duration poll = ctx.poll(Duration.ofSeconds(10));
        boolean passive = ctx.config().mode() == Pms5003Config.Mode.PASSIVE;
        link.write(passive ? Pms5003Codec.passiveMode() : Pms5003Codec.activeMode());
        long nextPoll = System.nanoTime();
        while (running) {
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
            if (passive) {
                rx.clear();
                link.write(Pms5003Codec.read());
            }
            Pms5003Frame frame = awaitFrame(link, rx, ctx.config().frameTimeout());
            if (frame == null) {
                status.count("timeouts");
                status.degraded("no frame from sensor within " + ctx.config().frameTimeout().toMillis() + " ms");
                continue;
            }
            if (frame.warmingUp()) {
                status.count("warmup_frames");
                status.degraded("warming up");
                continue;
            }
            ctx.sink().accept(new Message.Reading(ctx.deviceId(), frame.metrics()));
            status.ok();
        }
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
                    status.count(s.reason().startsWith("checksum") ? "bad_frames" : "garbage_bytes");
                }
                case Pms5003Codec.NeedMore n -> {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        return null;
                    }
                    rx.fill(link, Duration.ofNanos(left));
                }
                default -> throw new IllegalStateException();
            }
        }
    }

    private void closeLink() {
        SerialLink l = link;
        if (l != null) {
            try {
                l.close();
            } catch (IOException e) {
                Logger.debug("{}: closing {}: {}", ctx.deviceId(), l.name(), e.getMessage());
            }
        }
    }
}
