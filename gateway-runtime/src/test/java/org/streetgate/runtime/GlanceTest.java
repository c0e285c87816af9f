package org.streetgate.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.streetgate.drivers.spi.DeviceStatus;
import org.streetgate.drivers.spi.Message;

/** The console's few words per device: status, latest values, latest announced states. */
class GlanceTest {
    @Test
    void a_device_shows_its_status_latest_values_and_states() {
        Glance g = new Glance();
        DeviceStatus dock = new DeviceStatus();
        dock.ok();
        g.saw(new Message.Reading("dock", Map.of("wind_speed_m_s", 3.25, "rainfall_level", 2.0, "cover_state", 0.0)));
        g.saw(new Message.Event("dock", "drone.out_of_dock", Message.Severity.INFO, Map.of()));
        g.saw(new Message.Event("dock", "drone.in_dock", Message.Severity.INFO, Map.of()));
        g.saw(new Message.Event("dock", "cover.closed", Message.Severity.INFO, Map.of()));
        assertEquals("dock ok: cover_state 0, rainfall_level 2, wind_speed_m_s 3.25; cover closed; drone in_dock",
                g.of("dock", dock));
    }

    @Test
    void many_values_are_cut_to_a_few_and_counted() {
        Glance g = new Glance();
        Map<String, Double> metrics = new LinkedHashMap<>();
        for (int i = 0; i < 10; i++) {
            metrics.put("m" + i, (double) i);
        }
        g.saw(new Message.Reading("meter", metrics));
        DeviceStatus st = new DeviceStatus();
        st.degraded("slow");
        assertEquals("meter degraded: m0 0, m1 1, m2 2 (+7)", g.of("meter", st));
    }

    @Test
    void a_device_that_said_nothing_yet_shows_its_status_only() {
        Map<String, DeviceStatus> statuses = new LinkedHashMap<>();
        statuses.put("air-1", new DeviceStatus());
        statuses.put("door", new DeviceStatus());
        statuses.get("door").offline("port gone");
        String line = new Glance().all(statuses);
        assertEquals("air-1 " + statuses.get("air-1").state().wire() + " | door offline", line);
    }
}
