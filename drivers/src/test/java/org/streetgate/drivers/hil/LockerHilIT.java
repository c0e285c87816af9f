package org.streetgate.drivers.hil;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.streetgate.drivers.locker.KerongConfig;
import org.streetgate.drivers.testing.Rig;

/**
 * A real KR-CU16 on a rig: which door-sensor polarity it reports (docs/kiosk-devices.md). Rig keys:
 * {@code locker.port}, {@code locker.door} (1..16 on the board, a door that is shut when the test
 * starts; it will spring open), optional {@code locker.board} (0), {@code locker.baud} (19200) and
 * {@code locker.door-sensor}, the polarity the rig's profile uses (default {@code closed-when-set}).
 * {@link LockerRigDryRunIT} runs the same check against the simulator in every build.
 */
@Tag("hil")
class LockerHilIT {
    @Test
    void the_lock_board_reports_the_door_sensor_polarity_the_profile_says() throws Exception {
        String port = Rig.require("locker.port");
        int door = Rig.integer("locker.door");
        int board = Integer.parseInt(Rig.get("locker.board", "0"));
        int baud = Integer.parseInt(Rig.get("locker.baud", "19200"));
        KerongConfig.DoorSensor found = LockerChecks.doorSensor(port, baud, board, door - 1);
        System.err.println("[hil] lock board " + board + " on " + port + " reports door-sensor: " + found.wire());
        String expected = Rig.get("locker.door-sensor", KerongConfig.DoorSensor.CLOSED_WHEN_SET.wire());
        assertEquals(expected, found.wire(), "this board needs 'door-sensor: " + found.wire() + "' in its profile");
    }
}
