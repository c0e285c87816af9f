package org.streetgate.ota;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.streetgate.ota.slots.OtaState.Phase;

/** The event types and data the runtime puts on the events topic (docs/ota.md §6). */
class OtaEventTest {
    @Test
    void progress_maps_to_ota_progress_with_state_and_percent() {
        OtaEvent e = new OtaEvent.Progress(Phase.DOWNLOADING, 40, "1.4.0");
        assertEquals("ota.progress", e.type());
        assertEquals("info", e.severity());
        assertEquals(Map.of("state", "downloading", "percent", 40, "version", "1.4.0"), e.data());
    }

    @Test
    void rollback_maps_to_ota_rolled_back_warning_with_the_reason() {
        OtaEvent e = new OtaEvent.RolledBack("1.4.0", "releases/1.3.2-c41-g9", "release 1.4.0 failed its health check: outbox not writable");
        assertEquals("ota.rolled-back", e.type());
        assertEquals("warning", e.severity());
        assertEquals("release 1.4.0 failed its health check: outbox not writable", e.data().get("reason"));
        assertEquals("1.4.0", e.data().get("failed"));
    }

    @Test
    void absent_values_are_left_out_of_the_data() {
        OtaEvent e = new OtaEvent.Failed(null, "manifest.sig: signed only by unknown key(s)", true);
        assertEquals("ota.failed", e.type());
        assertEquals(Map.of("reason", "manifest.sig: signed only by unknown key(s)", "refused", true), e.data());
    }
}
