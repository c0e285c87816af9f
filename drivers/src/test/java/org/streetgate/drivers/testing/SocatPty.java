package org.streetgate.drivers.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real pseudo-terminal pair made by socat, with stable link names, so a driver and its simulator
 * talk through the kernel's tty layer and jSerialComm as they would on hardware. {@link #unplug()}
 * and {@link #replug()} model a cable pulled and put back at the same path.
 */
public final class SocatPty implements AutoCloseable {
    private final Path driverEnd;
    private final Path deviceEnd;
    private Process socat;

    private SocatPty(Path driverEnd, Path deviceEnd) {
        this.driverEnd = driverEnd;
        this.deviceEnd = deviceEnd;
    }

    /** Starts socat with two links under {@code dir}: {@code <name>-driver} and {@code <name>-device}. */
    public static SocatPty start(Path dir, String name) throws IOException, InterruptedException {
        SocatPty pty = new SocatPty(dir.resolve(name + "-driver"), dir.resolve(name + "-device"));
        pty.replug();
        return pty;
    }

    public Path driverEnd() {
        return driverEnd;
    }

    public Path deviceEnd() {
        return deviceEnd;
    }

    /** Creates the pair (again) at the same paths and waits until both links exist. */
    public void replug() throws IOException, InterruptedException {
        socat = new ProcessBuilder("socat", "-d",
                "pty,raw,echo=0,link=" + driverEnd,
                "pty,raw,echo=0,link=" + deviceEnd)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!(Files.exists(driverEnd) && Files.exists(deviceEnd))) {
            if (!socat.isAlive()) {
                throw new IOException("socat exited with " + socat.exitValue() + "; is socat installed?");
            }
            if (System.nanoTime() > deadline) {
                throw new IOException("socat did not create " + driverEnd + " within 10 s");
            }
            Thread.sleep(20);
        }
    }

    /** Ends socat: both ptys close and their links disappear, as when a cable is pulled. */
    public void unplug() throws InterruptedException {
        if (socat != null) {
            socat.destroy();
            if (!socat.waitFor(5, TimeUnit.SECONDS)) {
                socat.destroyForcibly().waitFor();
            }
            socat = null;
        }
    }

    @Override
    public void close() throws InterruptedException {
        unplug();
    }
}
