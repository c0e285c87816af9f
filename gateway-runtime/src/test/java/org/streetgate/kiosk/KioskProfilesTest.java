package org.streetgate.kiosk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.streetgate.drivers.testing.Configs;

/** The shipped kiosk profiles: their {@code kiosk:} section reads cleanly and names the right devices. */
class KioskProfilesTest {
    @SuppressWarnings("unchecked")
    private static Map<String, Object> load(String file) throws Exception {
        String text = Files.readString(Path.of("../hardware-profiles").resolve(file));
        return (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(text);
    }

    @ParameterizedTest
    @ValueSource(strings = {"kiosk-24h.yaml", "demo/kiosk-24h.yaml"})
    @SuppressWarnings("unchecked")
    void the_kiosk_section_reads_cleanly_and_names_its_devices(String file) throws Exception {
        Map<String, Object> profile = load(file);
        Configs configs = new Configs();
        KioskSettings s = KioskSettings.read(configs.reader((Map<String, Object>) profile.get("kiosk")));
        assertEquals(List.of(), configs.messages());
        assertEquals("127.0.0.1", s.bind());
        assertNotNull(s.technicianPin());
        assertTrue(!s.couriers().isEmpty());

        List<Map<String, Object>> devices = (List<Map<String, Object>>) profile.get("devices");
        Map<String, String> drivers = new java.util.HashMap<>();
        devices.forEach(d -> drivers.put((String) d.get("id"), (String) d.get("driver")));
        assertEquals("locker-board", drivers.get(s.locker()));
        assertEquals("escpos-printer", drivers.get(s.printer()));
        assertEquals("qr-scanner", drivers.get(s.scanner()));

        Map<String, Object> locker = devices.stream().filter(d -> d.get("id").equals(s.locker())).findFirst().orElseThrow();
        int doors = ((List<?>) locker.get("boards")).size() * (Integer) locker.get("doors-per-board");
        assertEquals(doors, s.allocator().allDoors().size(), "every door of the locker has a size");
        if (file.startsWith("demo/")) {
            devices.forEach(d -> assertEquals(true, d.get("sim"), d.get("id") + " is simulated"));
        }
    }

    @org.junit.jupiter.api.Test
    void the_demo_pins_in_the_comments_are_the_ones_hashed() throws Exception {
        Configs configs = new Configs();
        @SuppressWarnings("unchecked")
        KioskSettings s = KioskSettings.read(configs.reader((Map<String, Object>) load("demo/kiosk-24h.yaml").get("kiosk")));
        assertTrue(s.couriers().get(0).pin().matches("246810"));
        assertTrue(s.technicianPin().matches("97531864"));
        assertEquals(8, s.technicianPinDigits());
    }
}
