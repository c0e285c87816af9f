package org.streetgate.drivers.testing;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import org.streetgate.drivers.transport.JSerialCommLink;
import org.streetgate.drivers.transport.SerialSettings;
import org.streetgate.drivers.transport.SerialSimulator;

/**
 * A simulator serving the device end of a socat pty through jSerialComm, on a virtual thread, until
 * closed or the pty goes away. After {@link SocatPty#replug()} start a new one. An I/O error ends
 * the simulator quietly (the pty went away); any other failure is a simulator bug, and
 * {@link #close()} fails the test with it instead of hiding it.
 */
public final class PtyDevice implements AutoCloseable {
    private final Thread thread;
    private final JSerialCommLink link;
    private volatile Throwable failure;

    private PtyDevice(SerialSimulator sim, JSerialCommLink link, String name) {
        this.link = link;
        this.thread = Thread.ofVirtual().name(name).unstarted(() -> {
            try {
                sim.serve(link);
            } catch (IOException e) {
                // the pty went away: the test is over or unplugged it
            } catch (InterruptedException e) {
                // closed by the test
            } catch (Throwable e) {
                failure = e;
            }
        });
    }

    public static PtyDevice serve(SerialSimulator sim, Path deviceEnd, int baud) throws Exception {
        JSerialCommLink link = JSerialCommLink.open(SerialSettings.of(deviceEnd.toString(), baud));
        PtyDevice d = new PtyDevice(sim, link, "pty device " + deviceEnd.getFileName());
        d.thread.start();
        return d;
    }

    /** Serves the device end of {@code pty}. */
    public static PtyDevice serve(SerialSimulator sim, SocatPty pty, int baud) throws Exception {
        return serve(sim, pty.deviceEnd(), baud);
    }

    /** What ended the simulator other than the pty going away; null while it runs or when it ended cleanly. */
    public Throwable failure() {
        return failure;
    }

    /** Stops the simulator like a pulled cable on the device side; no bug check. */
    public void unplug() throws InterruptedException {
        thread.interrupt();
        thread.join(Duration.ofSeconds(2));
        link.close();
    }

    @Override
    public void close() throws InterruptedException {
        unplug();
        Throwable f = failure;
        if (f != null) {
            throw new AssertionError("the simulator on the pty failed", f);
        }
    }
}
