package org.streetgate.drivers.transport;

import java.io.IOException;

/** A device in software that speaks its wire protocol on the device side of a link. */
public interface SerialSimulator {
    /** Serves the link until it closes or the thread is interrupted. */
    void serve(SerialLink deviceSide) throws IOException, InterruptedException;
}
