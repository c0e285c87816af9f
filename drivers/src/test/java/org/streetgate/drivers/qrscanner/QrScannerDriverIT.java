package org.streetgate.drivers.qrscanner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streetgate.drivers.config.Position;
import org.streetgate.drivers.spi.DeviceContext;
import org.streetgate.drivers.spi.DeviceSpec;
import org.streetgate.drivers.spi.DeviceStatus;
import org.streetgate.drivers.spi.Message;
import org.streetgate.drivers.testing.CollectingSink;
import org.streetgate.drivers.testing.SocatPty;
import org.streetgate.drivers.transport.Hardware;
import org.streetgate.drivers.transport.JSerialCommLink;
import org.streetgate.drivers.transport.SerialSettings;

/** The scanner driver against the simulated scanner through a real socat pty pair, jSerialComm on both ends. */
class QrScannerDriverIT {
    @TempDir
    Path dir;

    private SocatPty pty;
    private Thread device;
    private QrScannerDriver driver;
    private final CollectingSink sink = new CollectingSink();
    private final LinkedBlockingQueue<String> scans = new LinkedBlockingQueue<>();

    @AfterEach
    void tearDown() throws Exception {
        if (driver != null) {
            driver.stop();
        }
        if (device != null) {
            device.interrupt();
        }
        if (pty != null) {
            pty.close();
        }
    }

    private QrScannerSimulator start(QrScannerConfig cfg) throws Exception {
        pty = SocatPty.start(dir, "scanner");
        QrScannerSimulator sim = new QrScannerSimulator(cfg.terminator());
        var link = JSerialCommLink.open(SerialSettings.of(pty.deviceEnd().toString(), 9600));
        device = Thread.ofVirtual().start(() -> {
            try (link) {
                sim.serve(link);
            } catch (Exception e) {
                // the pty closed: the test is over
            }
        });
        var spec = new DeviceSpec("scanner-1", "qr-scanner", null,
                Optional.of(SerialSettings.of(pty.driverEnd().toString(), 9600)), false, new Position("test", 1));
        driver = new QrScannerDriver(new DeviceContext<>(spec, cfg, sink, new DeviceStatus(), new Hardware()));
        driver.addScanListener(scans::add);
        driver.start();
        await(() -> driver.status().state() == DeviceStatus.State.OK);
        return sim;
    }

    private static void await(BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out");
            }
            Thread.sleep(10);
        }
    }

    private String nextScan() throws InterruptedException {
        String s = scans.poll(5, TimeUnit.SECONDS);
        if (s == null) {
            throw new AssertionError("no scan within 5 s");
        }
        return s;
    }

    @Test
    void scans_reach_the_local_listener_and_are_not_published_by_default() throws Exception {
        QrScannerSimulator sim = start(QrScannerConfig.defaults());

        sim.scan("483920");
        sim.scan("https://kiosk.invalid/pickup?d=17&t=abc");

        assertEquals("483920", nextScan());
        assertEquals("https://kiosk.invalid/pickup?d=17&t=abc", nextScan());
        assertEquals(2, driver.status().counter("scans"));
        // Pickup codes stay on the gateway: nothing went to the sink.
        assertThrows(AssertionError.class, () -> sink.take(1, Duration.ofMillis(300)));
    }

    @Test
    void with_publish_scans_each_code_is_also_a_scan_event() throws Exception {
        QrScannerSimulator sim = start(new QrScannerConfig(QrScannerCodec.Terminator.CRLF, 64, true));

        sim.scan("ASSET-0042");

        assertEquals("ASSET-0042", nextScan());
        Message.Event e = sink.next(Message.Event.class, Duration.ofSeconds(5));
        assertEquals("scan", e.type());
        assertEquals(Map.of("code", "ASSET-0042"), e.data());
    }

    @Test
    void a_pulled_cable_takes_the_scanner_offline_and_scans_resume_when_replugged() throws Exception {
        QrScannerSimulator sim = start(QrScannerConfig.defaults());
        device.interrupt();
        pty.unplug();
        await(() -> driver.status().state() == DeviceStatus.State.OFFLINE);

        pty.replug();
        var link = JSerialCommLink.open(SerialSettings.of(pty.deviceEnd().toString(), 9600));
        device = Thread.ofVirtual().start(() -> {
            try (link) {
                sim.serve(link);
            } catch (Exception e) {
                // the pty closed: the test is over
            }
        });
        await(() -> driver.status().state() == DeviceStatus.State.OK);
        sim.scan("after-replug");
        assertEquals("after-replug", nextScan());
    }

    @Test
    void an_overlong_code_is_counted_and_dropped_and_reading_goes_on() throws Exception {
        QrScannerSimulator sim = start(new QrScannerConfig(QrScannerCodec.Terminator.CR, 16, false));

        sim.sendRaw("this code is far too long for the limit\r".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        sim.scan("OK-1");

        assertEquals("OK-1", nextScan());
        assertEquals(1, driver.status().counter("overlong_codes"));
        assertNull(scans.poll(200, TimeUnit.MILLISECONDS), "the overlong code never reached the listener");
    }
}
