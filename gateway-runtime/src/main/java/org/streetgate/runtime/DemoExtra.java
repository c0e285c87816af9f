package org.streetgate.runtime;

/**
 * The demo extra: the embedded MQTT broker ({@code platform.url: embedded}) and the simulated
 * printer's receipt rendering live in {@code dist/demo-lib}, which a board's distribution (and the
 * Debian package) does not carry. The launcher puts it on the class path for a demo; without it
 * the gateway refuses to start with this message instead of dying on a missing class mid-start.
 */
public final class DemoExtra {
    static final String BROKER_CLASS = "io.moquette.broker.Server";
    static final String RENDERING_CLASS = "com.google.zxing.qrcode.encoder.Encoder";

    private DemoExtra() {}

    /** Throws a clear error when {@code className} (a class of the demo extra) cannot be loaded. */
    static void require(String what, String className) {
        try {
            Class.forName(className, false, DemoExtra.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalStateException(what + " needs the demo extra (dist/demo-lib), which this distribution"
                    + " does not carry (a board's package leaves it out). Run the demo from a source checkout"
                    + " (./streetgate run adds it for 'platform.url: embedded', --simulate or a 'sim-output'),"
                    + " or set STREETGATE_DEMO=1; on a board use an external broker (platform.url: tcp://...)."
                    + " Missing: " + className);
        }
    }
}
