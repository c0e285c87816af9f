package org.streetgate.drivers.qrscanner;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.streetgate.drivers.spi.DeviceContext;
import org.streetgate.drivers.spi.DeviceStatus;
import org.streetgate.drivers.spi.DeviceThread;
import org.streetgate.drivers.spi.SerialSession;
import org.streetgate.drivers.spi.Driver;
import org.streetgate.drivers.spi.Message;
import org.streetgate.drivers.transport.SerialLink;
import org.tinylog.Logger;

/**
 * A barcode/QR scanner on a serial port. Each code goes to the listeners registered with
 * {@link #addScanListener} (the kiosk service) and, only when {@code publish-scans: true}, to the
 * platform as a {@code scan} event. Codes may be pickup codes: they are never logged, only counted.
 *
 * <p>The reading thread only queues codes; one delivery thread hands them on in order. A slow listener
 * therefore cannot stop the port being read, and a scanner (or noise) sending codes faster than they are
 * handled fills at most {@link #QUEUE} codes: the rest are dropped and counted ({@code scans_dropped}).
 */
public final class QrScannerDriver implements Driver {
    private final DeviceContext<QrScannerConfig> ctx;
    private final QrScannerConfig cfg;
    private final DeviceStatus status;
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    private final DeviceThread worker = new DeviceThread();
    /** A person scans one code every few seconds; more than this waiting is a stuck listener or a flood. */
    static final int QUEUE = 16;
    private final BlockingQueue<String> pending = new ArrayBlockingQueue<>(QUEUE);
    private final DeviceThread delivery = new DeviceThread();
    private final SerialSession session;
    private volatile QrScannerSimulator simulator;

    public QrScannerDriver(DeviceContext<QrScannerConfig> ctx) {
        this.ctx = ctx;
        this.cfg = ctx.config();
        this.status = ctx.status();
        this.session = new SerialSession(ctx, worker, this::makeSimulator);
    }

    /**
     * Calls {@code listener} with every code scanned, one at a time in scan order on the driver's delivery
     * thread (never the reading thread). The listener may block, e.g. to open a door; no thread per scan
     * is needed. While it blocks, at most {@link #QUEUE} codes wait; later ones are dropped and counted.
     * This is how pickup codes reach the kiosk without leaving the gateway.
     */
    public void addScanListener(Consumer<String> listener) {
        listeners.add(listener);
    }

    public void removeScanListener(Consumer<String> listener) {
        listeners.remove(listener);
    }

    /** The simulated scanner, when this device runs on its simulator (demo profiles, tests). */
    public Optional<QrScannerSimulator> simulator() {
        return Optional.ofNullable(simulator);
    }

    @Override
    public void start() {
        delivery.start("scanner " + ctx.deviceId() + " delivery", this::deliverLoop);
        worker.start("scanner " + ctx.deviceId(), () -> session.run(this::serve));
    }

    @Override
    public void stop() {
        worker.stop(session::close);
        delivery.stop();
        pending.clear();
    }

    @Override
    public DeviceStatus status() {
        return status;
    }

    private QrScannerSimulator makeSimulator() {
        if (simulator == null) {
            simulator = new QrScannerSimulator(cfg.terminator());
        }
        return simulator;
    }

    private void serve(SerialLink l) throws IOException, InterruptedException {
        Logger.info("{}: code scanner on {} (terminator {}, scans {})", ctx.deviceId(), l.name(),
                cfg.terminator(), cfg.publishScans() ? "published as events" : "kept on the gateway");
        status.ok();
        QrScannerCodec codec = new QrScannerCodec(cfg.terminator(), cfg.maxLength());
        byte[] buf = new byte[512];
        while (worker.running()) {
            int n = l.read(buf, 0, buf.length, Duration.ofMillis(500));
            if (n == 0) {
                continue;
            }
            for (QrScannerCodec.Decoded d : codec.feed(buf, 0, n)) {
                switch (d) {
                    case QrScannerCodec.Code c -> enqueue(c.code());
                    case QrScannerCodec.Overlong o -> {
                        status.count("overlong_codes");
                        Logger.warn("{}: dropped a {}-byte code (max-length {})", ctx.deviceId(), o.bytes(),
                                cfg.maxLength());
                    }
                }
            }
        }
    }

    private void enqueue(String code) {
        status.count("scans");
        Logger.debug("{}: scan of {} characters", ctx.deviceId(), code.length()); // never the code itself
        if (!pending.offer(code)) {
            status.count("scans_dropped");
            Logger.warn("{}: dropped a scan, {} still waiting for the listeners", ctx.deviceId(), QUEUE);
        }
    }

    private void deliverLoop() {
        while (delivery.running()) {
            try {
                deliver(pending.take());
            } catch (InterruptedException e) {
                return; // stopping
            }
        }
    }

    private void deliver(String code) throws InterruptedException {
        for (Consumer<String> l : listeners) {
            try {
                l.accept(code);
            } catch (RuntimeException e) {
                // The exception's message might quote the code: log only its type.
                Logger.error("{}: scan listener failed with {}", ctx.deviceId(), e.getClass().getName());
            }
        }
        if (cfg.publishScans()) {
            ctx.sink().accept(new Message.Event(ctx.deviceId(), "scan", Message.Severity.INFO, Map.of("code", code)));
        }
    }
}
