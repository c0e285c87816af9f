package org.streetgate.drivers.qrscanner;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 */
public final class QrScannerDriver implements Driver {
    private final DeviceContext<QrScannerConfig> ctx;
    private final QrScannerConfig cfg;
    private final DeviceStatus status;
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    private final DeviceThread worker = new DeviceThread();
    private final SerialSession session;
    private volatile QrScannerSimulator simulator;

    public QrScannerDriver(DeviceContext<QrScannerConfig> ctx) {
        this.ctx = ctx;
        this.cfg = ctx.config();
        this.status = ctx.status();
        this.session = new SerialSession(ctx, worker, this::makeSimulator);
    }

    /**
     * Calls {@code listener} with every code scanned, on the driver's reading thread; keep it short
     * (hand the code to the kiosk service's own queue). This is how pickup codes reach the kiosk
     * without leaving the gateway.
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
        worker.start("scanner " + ctx.deviceId(), () -> session.run(this::serve));
    }

    @Override
    public void stop() {
        worker.stop(session::close);
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
                    case QrScannerCodec.Code c -> deliver(c.code());
                    case QrScannerCodec.Overlong o -> {
                        status.count("overlong_codes");
                        Logger.warn("{}: dropped a {}-byte code (max-length {})", ctx.deviceId(), o.bytes(),
                                cfg.maxLength());
                    }
                }
            }
        }
    }

    private void deliver(String code) throws InterruptedException {
        status.count("scans");
        Logger.debug("{}: scan of {} characters", ctx.deviceId(), code.length()); // never the code itself
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
