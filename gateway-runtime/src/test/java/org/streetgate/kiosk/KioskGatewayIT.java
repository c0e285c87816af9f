package org.streetgate.kiosk;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streetgate.runtime.Gateway;
import org.streetgate.testing.Mosquitto;
import org.streetgate.testing.Profiles;

/**
 * The shipped demo kiosk run by the whole gateway against a real Mosquitto, its screen in headless
 * Chromium: the offline banner follows the real uplink when the broker stops and comes back.
 */
class KioskGatewayIT {
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @Test
    void the_offline_banner_appears_when_the_broker_stops_and_goes_when_it_returns() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(Chromium.BINARY), "no chromium here");
        String demo = Files.readString(Path.of("../hardware-profiles/demo/kiosk-24h.yaml"));
        try (Mosquitto broker = Mosquitto.start(dir)) {
            String yaml = demo.replace("url: embedded", "url: " + broker.uri() + "\n  reconnect-min: 100ms\n  reconnect-max: 500ms")
                    .replace("port: 8080", "port: 0")
                    .replace("sim-output: data/receipts", "sim-output: " + dir.resolve("receipts"));
            Gateway gateway = Gateway.start(Profiles.load(dir, "kiosk", yaml), dir.resolve("data"), false);
            try (Chromium browser = new Chromium(900, 1400)) {
                browser.open("http://127.0.0.1:" + gateway.kiosk().port() + "/");
                browser.waitUntil("document.body.dataset.screen === 'home'", WAIT);
                browser.waitUntil("document.getElementById('banner-offline').hidden === true", WAIT);

                broker.stop();
                browser.waitUntil("document.getElementById('banner-offline').hidden === false", WAIT);
                assertEquals("网络已断开：仍可输入取件码取件", browser.text("banner-offline"));

                broker.restart();
                browser.waitUntil("document.getElementById('banner-offline').hidden === true", WAIT);
            } finally {
                gateway.close();
            }
        }
    }
}
