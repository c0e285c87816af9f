package org.streetgate.drivers.hil;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streetgate.drivers.meter.ModbusMeterConfig;
import org.streetgate.drivers.meter.ModbusMeterFactory;
import org.streetgate.drivers.meter.ModbusMeterSimulator;
import org.streetgate.drivers.modbus.ModbusSlaveSimulator;
import org.streetgate.drivers.pms5003.Pms5003Simulator;
import org.streetgate.drivers.testing.Configs;
import org.streetgate.drivers.testing.PtyDevice;
import org.streetgate.drivers.testing.SocatPty;
import org.streetgate.drivers.transport.Hardware;

/**
 * The rig checks of {@link SensorPoleHilIT} against simulators standing in for the rig: serial
 * devices behind socat ptys, the BME280 on a simulated I2C bus. (GPIO loopback needs a wire.)
 */
class SensorPoleRigDryRunIT {
    @TempDir
    Path dir;

    @Test
    void pms5003_rig_check_passes_against_the_simulator_on_a_pty() throws Exception {
        try (SocatPty pty = SocatPty.start(dir, "pms"); Hardware hw = new Hardware();
             PtyDevice device = PtyDevice.serve(new Pms5003Simulator(5, Duration.ofSeconds(1), 1), pty.deviceEnd(), 9600)) {
            SensorPoleChecks.pms5003(hw, pty.driverEnd().toString());
        }
    }

    @Test
    void modbus_rig_check_passes_against_a_simulated_sdm630_on_a_pty() throws Exception {
        ModbusMeterConfig cfg = new ModbusMeterFactory().parseConfig(
                new Configs().reader(Configs.map("unit", 9, "map", "sdm630")));
        ModbusSlaveSimulator sim = new ModbusSlaveSimulator();
        ModbusMeterSimulator.install(sim, cfg, 9);
        try (SocatPty pty = SocatPty.start(dir, "rs485"); Hardware hw = new Hardware();
             PtyDevice device = PtyDevice.serve(sim, pty.deviceEnd(), 9600)) {
            SensorPoleChecks.modbusMeter(hw, pty.driverEnd().toString(), 9600, 9, "sdm630");
        }
    }

    @Test
    void bme280_rig_check_passes_against_the_simulated_chip() throws Exception {
        try (Hardware hw = new Hardware()) {
            SensorPoleChecks.bme280(hw, 1, "0x77", true);
        }
    }
}
