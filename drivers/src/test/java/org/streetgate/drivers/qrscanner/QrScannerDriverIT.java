package org.streetgate.drivers.qrscanner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streetgate.drivers.spi.DeviceStatus;
import org.streetgate.drivers.spi.Message;
import org.streetgate.drivers.testing.Await;
import org.streetgate.drivers.testing.CollectingSink;
import org.streetgate.drivers.testing.Contexts;
import org.streetgate.drivers.testing.PtyDevice;
import org.streetgate.drivers.testing.SocatPty;
import org.streetgate.drivers.transport.Hardware;

/** The scanner driver against the simulated scanner through a real socat pty pair, jSerialComm on both ends. */
class QrScannerDriverIT {
    @TempDir
    Path dir;

    private SocatPty pty;
    private PtyDevice device;
    private QrScannerDriver driver;
    private final CollectingSink sink = new CollectingSink();
    private final Hardware hardware = new Hardware();
    private final LinkedBlockingQueue<String> scans = new LinkedBlockingQueue<>();

    @AfterEach
    void tearDown() throws Exception {
        if (driver != null) {
            driver.stop();
        }
        try {
            if (device != null) {
                device.close();
            }
        } finally {
            hardware.close();
            if (pty != null) {
                pty.close();
            }
        }
    }

    private QrScannerSimulator start(QrScannerConfig cfg) throws Exception {
        return start(cfg, new QrScannerSimulator(cfg.terminator()));
    }

    private QrScannerSimulator start(QrScannerConfig cfg, QrScannerSimulator sim) throws Exception {
        pty = SocatPty.start(dir, "scanner");
        device = PtyDevice.serve(sim, pty, 9600);
        driver = new QrScannerDriver(Contexts.serial("scanner-1", "qr-scanner", null, pty.driverEnd().toString(), 9600,
                false, cfg, sink, hardware));
        driver.addScanListener(scans::add);
        driver.start();
        Await.until("scanner port open", () -> driver.status().state() == DeviceStatus.State.OK);
        return sim;
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
        // A third scan marks the end: the driver handles codes in order, publishing (if it did) before the next.
        sim.scan("marker");
        assertEquals("marker", nextScan());
        assertEquals(3, driver.status().counter("scans"));
        // Pickup codes stay on the gateway: nothing went to the sink.
        assertEquals(List.of(), sink.received());
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
        device.unplug();
        pty.unplug();
        Await.until("offline", () -> driver.status().state() == DeviceStatus.State.OFFLINE);

        pty.replug();
        device = PtyDevice.serve(sim, pty, 9600);
        Await.until("open again", () -> driver.status().state() == DeviceStatus.State.OK);
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
        assertTrue(scans.isEmpty(), "the overlong code never reached the listener: " + scans);
    }

    @Test
    void by_default_codes_ending_in_cr_lf_or_cr_lf_all_arrive_once_over_the_pty() throws Exception {
        QrScannerSimulator sim = start(QrScannerConfig.defaults());

        sim.sendRaw("CODE-CR\r".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        sim.sendRaw("CODE-LF\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        sim.sendRaw("CODE-CRLF\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        sim.scan("marker");

        assertEquals(List.of("CODE-CR", "CODE-LF", "CODE-CRLF", "marker"),
                List.of(nextScan(), nextScan(), nextScan(), nextScan()));
        assertTrue(scans.isEmpty(), "no empty code from the CR LF: " + scans);
        assertEquals(4, driver.status().counter("scans"));
    }

    @Test
    void a_stuck_listener_does_not_stop_reading_and_the_overflow_is_counted() throws Exception {
        QrScannerSimulator sim = start(QrScannerConfig.defaults());
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<String> delivered = new CopyOnWriteArrayList<>();
        driver.addScanListener(code -> {
            delivered.add(code);
            if (code.equals("FIRST")) {
                entered.countDown();
                try {
                    release.await(); // a kiosk handler hung on a slow database, say
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        sim.scan("FIRST");
        assertTrue(entered.await(5, TimeUnit.SECONDS));

        int flood = 40;
        for (int i = 0; i < flood; i++) {
            sim.scan("C-" + i);
        }
        // The port is still read while the listener hangs: every code is counted as it arrives.
        Await.until("every code read", () -> driver.status().counter("scans") == flood + 1);
        assertEquals(flood - QrScannerDriver.QUEUE, driver.status().counter("scans_dropped"));
        assertEquals(flood - QrScannerDriver.QUEUE, driver.status().snapshot().counters().get("scans_dropped"),
                "visible in health");

        release.countDown();
        Await.until("the waiting codes delivered", () -> delivered.size() == 1 + QrScannerDriver.QUEUE);
        sim.scan("AFTER");
        Await.until("the scan after the flood delivered", () -> delivered.contains("AFTER"));
        List<String> expected = new java.util.ArrayList<>(List.of("FIRST"));
        for (int i = 0; i < QrScannerDriver.QUEUE; i++) {
            expected.add("C-" + i); // the oldest waiting codes kept, in order
        }
        expected.add("AFTER");
        assertEquals(expected, delivered);
    }
}
