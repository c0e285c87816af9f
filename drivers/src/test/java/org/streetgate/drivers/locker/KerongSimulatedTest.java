package org.streetgate.drivers.locker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.streetgate.drivers.config.Position;
import org.streetgate.drivers.spi.DeviceContext;
import org.streetgate.drivers.spi.DeviceSpec;
import org.streetgate.drivers.spi.DeviceStatus;
import org.streetgate.drivers.spi.Message;
import org.streetgate.drivers.testing.Await;
import org.streetgate.drivers.testing.CollectingSink;
import org.streetgate.drivers.transport.Hardware;
import org.streetgate.drivers.transport.SerialSettings;

/** {@code sim: true}: the driver runs its own simulated boards in process, as demo profiles do. */
class KerongSimulatedTest {
    @Test
    void a_simulated_locker_opens_a_door_and_the_door_closes_by_itself() throws Exception {
        var cfg = new KerongConfig(List.of(0, 1), 16, Duration.ofMinutes(5), Duration.ofSeconds(10),
                Duration.ofSeconds(2), Duration.ofMillis(200), 1, Duration.ofMillis(300));
        var spec = new DeviceSpec("locker-1", "locker-board", Duration.ofMillis(50),
                Optional.of(SerialSettings.of("/dev/ttyUSB-locker", 19200)), true, new Position("demo.yaml", 3));
        CollectingSink sink = new CollectingSink();
        Hardware hardware = new Hardware();
        KerongDriver driver = new KerongDriver(new DeviceContext<>(spec, cfg, sink, new DeviceStatus(), hardware));
        driver.start();
        try {
            Await.until("every board answered", () -> driver.status().state() == DeviceStatus.State.OK);
            assertTrue(driver.simulator().isPresent());

            assertTrue(driver.open(20, "pickup").opened());
            assertTrue(driver.simulator().get().isOpen(20));

            Message.Event opened = sink.next(Message.Event.class, Duration.ofSeconds(5));
            assertEquals("door.opened", opened.type());
            Message.Event closed = sink.next(Message.Event.class, Duration.ofSeconds(5));
            assertEquals("door.closed", closed.type());
            assertEquals(20, closed.data().get("door"));
        } finally {
            driver.stop();
            hardware.close();
        }
    }
}
