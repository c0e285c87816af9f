package org.streetgate.drivers.hil;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.streetgate.drivers.testing.Rig;
import org.streetgate.drivers.transport.Hardware;

/**
 * The sensor-pole drivers against real devices on a rig (docs/drivers.md, "Hardware in the loop").
 * Each test needs only its own rig keys and is skipped, saying which key, when they are absent.
 * {@link SensorPoleRigDryRunIT} runs the same checks against simulators in every build.
 */
@Tag("hil")
class SensorPoleHilIT {
    @Test
    void pms5003_on_the_rig_gives_plausible_particulate_readings() throws Exception {
        String port = Rig.require("pms5003.port");
        try (Hardware hw = new Hardware()) {
            SensorPoleChecks.pms5003(hw, port);
        }
    }

    @Test
    void modbus_meter_on_the_rig_answers_with_its_map() throws Exception {
        String port = Rig.require("modbus.port");
        int unit = Rig.integer("modbus.unit");
        try (Hardware hw = new Hardware()) {
            SensorPoleChecks.modbusMeter(hw, port, Integer.parseInt(Rig.get("modbus.baud", "9600")), unit,
                    Rig.get("modbus.map", "sdm120"));
        }
    }

    @Test
    void bme280_on_the_rig_reads_plausible_weather() throws Exception {
        int bus = Rig.integer("bme280.bus");
        try (Hardware hw = new Hardware()) {
            SensorPoleChecks.bme280(hw, bus, Rig.get("bme280.address", "0x76"), false);
        }
    }

    @Test
    void gpio_output_wired_to_an_input_is_seen_as_edges() throws Exception {
        int out = Rig.integer("gpio.loopback.output");
        int in = Rig.integer("gpio.loopback.input");
        try (Hardware hw = new Hardware()) {
            SensorPoleChecks.gpioLoopback(hw, out, in);
        }
    }
}
