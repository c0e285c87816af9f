package org.streetgate.drivers.escpos;

import java.util.ArrayList;
import java.util.List;

/**
 * The printer's condition from the four DLE EOT status bytes.
 *
 * @param offline       n=1 bit 3: not accepting print data (cover open, paper end, error)
 * @param coverOpen     n=2 bit 2
 * @param paperEnd      n=2 bit 5 (printing stopped by paper end) or n=4 bits 5-6 (roll sensor)
 * @param paperNearEnd  n=4 bits 2-3: the near-end sensor; the roll will run out soon
 * @param error         n=2 bit 6, with the cause from n=3: cutter, unrecoverable or auto-recoverable
 */
public record PrinterState(boolean offline, boolean coverOpen, boolean paperEnd, boolean paperNearEnd,
                           String error) {
    public static final PrinterState READY = new PrinterState(false, false, false, false, null);

    /** Whether a job sent now would print. */
    public boolean ready() {
        return !offline && !coverOpen && !paperEnd && error == null;
    }

    /** Why it is not ready (or is about to stop), for logs, results and the kiosk screen; null when fine. */
    public String problem() {
        List<String> p = new ArrayList<>();
        if (paperEnd) {
            p.add("paper out");
        }
        if (coverOpen) {
            p.add("cover open");
        }
        if (error != null) {
            p.add(error);
        }
        if (offline && p.isEmpty()) {
            p.add("offline");
        }
        if (p.isEmpty() && paperNearEnd) {
            p.add("paper low");
        }
        return p.isEmpty() ? null : String.join(", ", p);
    }
}
