package org.streetgate.drivers.dock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.streetgate.drivers.config.Position;
import org.streetgate.drivers.spi.Command;
import org.streetgate.drivers.spi.CommandException;
import org.streetgate.drivers.spi.DeviceContext;
import org.streetgate.drivers.spi.DeviceSpec;
import org.streetgate.drivers.spi.DeviceStatus;
import org.streetgate.drivers.spi.Message;
import org.streetgate.drivers.testing.CollectingSink;
import org.streetgate.drivers.transport.Hardware;
import org.streetgate.drivers.transport.SerialSettings;

/**
 * The {@code sim: true} path of a demo profile: the driver makes its own dock model and simulator on
 * an in-memory RS-485 bus, and runs exactly as on hardware.
 */
class DockDriverSimulatedTest {
    @Test
    void a_simulated_dock_opens_its_cover_and_publishes_telemetry() throws Exception {
        DockConfig config = DockConfig.defaults(DockRegisterMap.v1(1))
                .withTelemetryEvery(Duration.ofMillis(50))
                .withSimulation(new DockConfig.Simulation("calm", Duration.ofMillis(200), 1));
        var spec = new DeviceSpec("dock", "drone-dock", Duration.ofMillis(30),
                Optional.of(SerialSettings.of("/dev/ttyUSB0", 19200)), true, new Position("demo.yaml", 12));
        CollectingSink sink = new CollectingSink();
        try (Hardware hw = new Hardware()) {
            DockDriver driver = new DockDriver(new DeviceContext<>(spec, config, sink, new DeviceStatus(), hw));
            assertThrows(CommandException.class, () -> driver.execute(new Command("c0", "dock", "cover-open", Map.of())),
                    "not started yet");
            driver.start();
            try {
                assertNotNull(driver.model(), "the simulated dock is there to steer");
                long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                Map<String, Object> result = null;
                while (result == null) {
                    try {
                        result = driver.execute(new Command("c1", "dock", "cover-open", Map.of()));
                    } catch (CommandException notReadYet) {
                        assertTrue(notReadYet.getMessage().contains("not been read yet"), notReadYet.getMessage());
                        assertTrue(System.nanoTime() < deadline, "the first poll never came");
                        Thread.sleep(10);
                    }
                }
                assertEquals(true, result.get("changed"));
                Message.Reading open = null;
                while (open == null) {
                    Message.Reading r = sink.next(Message.Reading.class, Duration.ofSeconds(5));
                    if (r.metrics().get("cover_state") == 1.0) {
                        open = r;
                    }
                }
                assertEquals(100.0, open.metrics().get("cover_position_pct"));
                assertEquals(DeviceStatus.State.OK, driver.status().state());
            } finally {
                driver.stop();
            }
        }
    }
}
