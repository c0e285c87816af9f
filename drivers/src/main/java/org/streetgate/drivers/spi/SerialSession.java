package org.streetgate.drivers.spi;

import java.io.IOException;
import java.time.Duration;
import java.util.function.Supplier;
import org.streetgate.drivers.transport.SerialLink;
import org.streetgate.drivers.transport.SerialSimulator;
import org.tinylog.Logger;

/**
 * Keeps a serial device's port open for its driver: opens the port (or, simulated, a link to the
 * simulator), serves it until it fails, then shows the device offline with the reason and opens it
 * again with backoff, until the driver stops. A pulled cable thus heals by itself once it is back.
 */
public final class SerialSession {
    /** Talks to the device over an open link until the link fails or the driver stops. */
    @FunctionalInterface
    public interface Server {
        void serve(SerialLink link) throws IOException, InterruptedException;
    }

    private final DeviceContext<?> ctx;
    private final DeviceThread worker;
    private final Supplier<SerialSimulator> simulator;
    private volatile SerialLink link;

    /** @param simulator makes the device's simulator, used only when the device is simulated */
    public SerialSession(DeviceContext<?> ctx, DeviceThread worker, Supplier<SerialSimulator> simulator) {
        this.ctx = ctx;
        this.worker = worker;
        this.simulator = simulator;
    }

    /** The open link, or null while the port is closed (between attempts, or stopped). */
    public SerialLink link() {
        return link;
    }

    /** The driver's loop: run it on the driver's {@link DeviceThread}. */
    public void run(Server server) {
        DeviceStatus status = ctx.status();
        Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30));
        while (worker.running()) {
            try {
                link = ctx.openSerial(simulator);
                backoff.reset();
                server.serve(link);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (IOException e) {
                if (!worker.running()) {
                    return;
                }
                if (status.state() != DeviceStatus.State.OFFLINE) {
                    Logger.warn("{}: {}; retrying with backoff", ctx.deviceId(), e.getMessage());
                }
                status.offline(e.getMessage());
                status.count("reconnects");
            } catch (RuntimeException e) {
                // A bug or an unexpected library failure: keep the device alive and say so.
                Logger.error(e, "{}: unexpected failure", ctx.deviceId());
                status.offline(String.valueOf(e));
                status.count("reconnects");
            } finally {
                close();
            }
            if (!worker.running()) {
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

    /** Closes the port; a read blocked on it returns. Used as the unblocking step of a stop. */
    public void close() {
        SerialLink l = link;
        link = null;
        if (l != null) {
            try {
                l.close();
            } catch (IOException e) {
                Logger.debug("{}: closing {}: {}", ctx.deviceId(), l.name(), e.getMessage());
            }
        }
    }
}
