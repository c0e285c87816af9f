package org.streetgate.ota.util;

/**
 * Named crash points for the kill -9 tests. When the system property {@value #PROPERTY} names a
 * point, the JVM halts there at once (no shutdown hooks, no flushing), which is what a power cut or
 * SIGKILL does to us. Without the property every call is a no-op.
 */
public final class Faults {
    public static final String PROPERTY = "streetgate.ota.fault";
    /** Exit status of a halted JVM, as a shell reports a SIGKILLed process. */
    public static final int HALT_STATUS = 137;

    private Faults() {
    }

    public static void point(String name) {
        if (name.equals(System.getProperty(PROPERTY))) {
            System.err.println("fault point " + name + ": halting");
            Runtime.getRuntime().halt(HALT_STATUS);
        }
    }
}
