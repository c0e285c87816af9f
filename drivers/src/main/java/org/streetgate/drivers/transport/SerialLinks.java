package org.streetgate.drivers.transport;

import java.io.IOException;
import org.tinylog.Logger;

/** Opens serial links: real ports through jSerialComm, or in-memory pairs served by a simulator. */
public class SerialLinks {
    public SerialLink open(SerialSettings settings) throws IOException {
        return JSerialCommLink.open(settings);
    }

    /** Starts {@code simulator} on the far end of a new in-memory pair and returns the near end. */
    public SerialLink simulated(SerialSettings settings, SerialSimulator simulator) {
        PipeLink[] pair = PipeLink.pair("sim:" + settings.port());
        Thread.ofVirtual().name("sim " + settings.port()).start(() -> {
            try {
                simulator.serve(pair[1]);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                Logger.debug("simulator on {} ended: {}", settings.port(), e.getMessage());
            } finally {
                pair[1].close();
            }
        });
        return pair[0];
    }
}
