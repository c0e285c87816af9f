package org.streetgate.drivers.modbus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.ghgande.j2mod.modbus.Modbus;
import com.ghgande.j2mod.modbus.procimg.SimpleInputRegister;
import com.ghgande.j2mod.modbus.procimg.SimpleProcessImage;
import com.ghgande.j2mod.modbus.procimg.SimpleRegister;
import com.ghgande.j2mod.modbus.slave.ModbusSlave;
import com.ghgande.j2mod.modbus.slave.ModbusSlaveFactory;
import com.ghgande.j2mod.modbus.util.SerialParameters;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streetgate.drivers.spi.DeviceStatus;
import org.streetgate.drivers.testing.SocatPty;
import org.streetgate.drivers.transport.Hardware;
import org.streetgate.drivers.transport.SerialSettings;

/**
 * Our own RTU master against an independent implementation: j2mod's serial slave on the far end
 * of a real pty, two unit ids on one line, FC 03, 04, 06 and 16, and an exception response.
 */
class ModbusMasterJ2modIT {
    @TempDir
    Path dir;

    @Test
    void master_interoperates_with_j2mods_slave_over_a_pty() throws Exception {
        try (SocatPty pty = SocatPty.start(dir, "j2mod")) {
            SerialParameters p = new SerialParameters();
            p.setPortName(pty.deviceEnd().toString());
            p.setBaudRate(9600);
            p.setDatabits(8);
            p.setParity("None");
            p.setStopbits(1);
            p.setEncoding(Modbus.SERIAL_ENCODING_RTU);
            p.setEcho(false);
            ModbusSlave slave = ModbusSlaveFactory.createSerialSlave(p);
            for (int unit = 1; unit <= 2; unit++) {
                SimpleProcessImage image = new SimpleProcessImage(unit);
                for (int i = 0; i < 10; i++) {
                    image.addRegister(new SimpleRegister(unit * 100 + i));
                    image.addInputRegister(new SimpleInputRegister(unit * 1000 + i));
                }
                slave.addProcessImage(unit, image);
            }
            slave.open();
            try (Hardware hw = new Hardware()) {
                DeviceStatus status = new DeviceStatus();
                ModbusMaster master = new ModbusMaster(hw.rs485(SerialSettings.of(pty.driverEnd().toString(), 9600), false),
                        new ModbusMaster.Timing(Duration.ofMillis(500), 1, Duration.ofSeconds(5)), status);
                for (int unit = 1; unit <= 2; unit++) {
                    assertArrayEquals(new int[] {unit * 100, unit * 100 + 1, unit * 100 + 2, unit * 100 + 3},
                            master.readHolding(unit, 0, 4), "FC03 unit " + unit);
                    assertArrayEquals(new int[] {unit * 1000 + 2, unit * 1000 + 3, unit * 1000 + 4},
                            master.readInput(unit, 2, 3), "FC04 unit " + unit);
                }
                master.writeSingle(1, 5, 0xBEEF);
                assertEquals(0xBEEF, slave.getProcessImage(1).getRegister(5).getValue(), "FC06 landed in j2mod's image");
                master.writeMultiple(2, 6, 7, 8, 9);
                assertArrayEquals(new int[] {7, 8, 9}, master.readHolding(2, 6, 3), "FC16 read back");
                ModbusException e = assertThrows(ModbusException.class, () -> master.readHolding(1, 50, 2));
                assertTrue(e.getMessage().contains("illegal data address"), e.getMessage());
            } finally {
                slave.close();
            }
        }
    }
}
