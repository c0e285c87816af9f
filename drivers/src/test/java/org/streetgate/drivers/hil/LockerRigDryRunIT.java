package org.streetgate.drivers.hil;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streetgate.drivers.locker.KerongConfig;
import org.streetgate.drivers.locker.KerongSimulator;
import org.streetgate.drivers.testing.PtyDevice;
import org.streetgate.drivers.testing.SocatPty;

/** The check of {@link LockerHilIT} against simulated boards of either polarity on a pty. */
class LockerRigDryRunIT {
    @TempDir
    Path dir;

    @Test
    void the_polarity_check_tells_both_kinds_of_board_apart() throws Exception {
        for (KerongConfig.DoorSensor polarity : KerongConfig.DoorSensor.values()) {
            KerongSimulator sim = new KerongSimulator(List.of(0, 2), 16).doorSensor(polarity);
            try (SocatPty pty = SocatPty.start(dir, "locker-" + polarity.wire());
                 PtyDevice device = PtyDevice.serve(sim, pty, 19200)) {
                KerongConfig.DoorSensor found;
                try {
                    found = LockerChecks.doorSensor(pty.driverEnd().toString(), 19200, 2, 4);
                } catch (AssertionError e) {
                    throw new AssertionError(polarity + ": unlocks " + sim.unlocks(21) + " open " + sim.isOpen(21) + " queries " + sim.queries(), e);
                }
                assertEquals(polarity, found);
                assertEquals(true, sim.isOpen(21), "door 21 is board 2 lock 4 and sprang open");
            }
        }
    }
}
