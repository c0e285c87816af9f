package org.streetgate.drivers.escpos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streetgate.drivers.spi.Command;
import org.streetgate.drivers.spi.CommandException;
import org.streetgate.drivers.spi.DeviceStatus;
import org.streetgate.drivers.spi.Message;
import org.streetgate.drivers.testing.Await;
import org.streetgate.drivers.testing.CollectingSink;
import org.streetgate.drivers.testing.Contexts;
import org.streetgate.drivers.testing.NoisyLine;
import org.streetgate.drivers.testing.PtyDevice;
import org.streetgate.drivers.testing.SocatPty;
import org.streetgate.drivers.transport.Hardware;

/** The printer driver against the simulated printer through a real socat pty pair, jSerialComm on both ends. */
class EscPosDriverIT {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @TempDir
    Path dir;

    private SocatPty pty;
    private PtyDevice device;
    private EscPosDriver driver;
    private final CollectingSink sink = new CollectingSink();
    private final Hardware hardware = new Hardware();

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

    /** The printer on the device end of a pty, the driver on the other, status polled every 100 ms. */
    private EscPosSimulator start(Path pngDir) throws Exception {
        pty = SocatPty.start(dir, "printer");
        EscPosSimulator sim = new EscPosSimulator(576, pngDir);
        device = PtyDevice.serve(sim, pty, 9600);
        var cfg = new EscPosConfig(576, true, Duration.ofSeconds(1), Duration.ofMillis(300), null);
        driver = new EscPosDriver(Contexts.serial("printer-1", "escpos-printer", Duration.ofMillis(100),
                pty.driverEnd().toString(), 9600, false, cfg, sink, hardware));
        driver.start();
        await("first status", () -> driver.status().state() == DeviceStatus.State.OK);
        return sim;
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        Await.until(what, condition);
    }

    private Message.Event nextEvent() throws InterruptedException {
        return sink.next(Message.Event.class, WAIT);
    }

    private static Receipt receipt(String code) {
        return new Receipt(List.of(Receipt.Line.of("取件码 Pickup code").withAlign(Receipt.Align.CENTER),
                Receipt.Line.of(code).withBold().withSize(2).withAlign(Receipt.Align.CENTER)),
                "https://kiosk.invalid/p/" + code, true);
    }

    @Test
    void a_receipt_prints_over_the_pty_and_its_png_shows_the_text_and_qr() throws Exception {
        Path pngs = Path.of("target", "receipts", "pty");
        EscPosSimulator sim = start(pngs);

        PrintResult r = driver.print(receipt("605 118"), Duration.ofSeconds(2));

        assertTrue(r.printed(), r.reason());
        var printed = sim.awaitReceipts(1, WAIT).get(0);
        assertTrue(printed.text().contains("取件码 Pickup code"), printed.text());
        assertTrue(printed.text().contains("605 118"), printed.text());
        assertEquals("https://kiosk.invalid/p/605 118", ReceiptRenderingTest.decodeQr(printed.image()));
        assertTrue(printed.file().startsWith(pngs), String.valueOf(printed.file()));
        assertEquals(1, driver.status().counter("jobs_printed"));
    }

    @Test
    void paper_low_out_cover_open_and_ready_become_events_and_device_status() throws Exception {
        EscPosSimulator sim = start(null);

        sim.paperLow();
        Message.Event low = nextEvent();
        assertEquals("printer.paper-low", low.type());
        assertEquals(Message.Severity.WARNING, low.severity());
        assertEquals("low", low.data().get("paper"));

        sim.paperOut();
        Message.Event out = nextEvent();
        assertEquals("printer.paper-out", out.type());
        assertEquals(Message.Severity.ALARM, out.severity());
        assertEquals("out", out.data().get("paper"));
        await("degraded", () -> driver.status().state() == DeviceStatus.State.DEGRADED);
        assertEquals("paper out", driver.status().snapshot().lastError());

        sim.openCover();
        assertEquals("printer.cover-open", nextEvent().type());

        sim.loadPaper();
        sim.closeCover();
        Message.Event ready = nextEvent();
        assertEquals("printer.ready", ready.type());
        assertEquals(true, ready.data().get("ready"));
        await("ok", () -> driver.status().state() == DeviceStatus.State.OK);
    }

    @Test
    void a_job_on_paper_out_waits_and_prints_once_paper_is_loaded() throws Exception {
        EscPosSimulator sim = start(null);
        sim.paperOut();
        await("paper out seen", () -> driver.lastState().map(PrinterState::paperEnd).orElse(false));

        CompletableFuture<PrintResult> job = CompletableFuture.supplyAsync(() -> {
            try {
                return driver.print(receipt("111 222"), Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        // Three more status exchanges (DLE EOT 1..4 each) that saw no paper: the job has been waiting, not failing.
        Await.advance("status queries while the job waits", sim::statusQueries, 3 * 4);
        assertFalse(job.isDone(), "the job waits for paper");
        assertTrue(sim.receipts().isEmpty());
        sim.loadPaper();

        PrintResult r = job.get();
        assertTrue(r.printed(), r.reason());
        assertEquals(1, sim.awaitReceipts(1, WAIT).size());
    }

    @Test
    void a_job_on_paper_out_fails_with_the_reason_when_nobody_loads_paper() throws Exception {
        EscPosSimulator sim = start(null);
        sim.paperOut();

        long t0 = System.nanoTime();
        PrintResult r = driver.print(receipt("333 444"), Duration.ofMillis(600));
        long ms = (System.nanoTime() - t0) / 1_000_000;

        assertFalse(r.printed());
        assertEquals("paper out (waited 0.6 s)", r.reason());
        assertTrue(ms >= 500 && ms < 3000, "waited " + ms + " ms");
        assertTrue(r.state().paperEnd());
        assertEquals(0, sim.heldCommands(), "nothing was sent to a printer without paper");
        assertEquals(1, driver.status().counter("jobs_failed"));
    }

    @Test
    void paper_running_out_mid_job_is_reported_and_the_rest_prints_after_reloading() throws Exception {
        EscPosSimulator sim = start(null);
        sim.runOutAfter(40); // less than the first line of the receipt

        PrintResult r = driver.print(receipt("555 666"), Duration.ofMillis(400));

        assertFalse(r.printed());
        assertTrue(r.reason().startsWith("paper out during the job"), r.reason());
        assertTrue(sim.heldCommands() > 0, "the printer holds the rest of the job");
        sim.loadPaper();
        var printed = sim.awaitReceipts(1, WAIT).get(0);
        assertTrue(printed.text().contains("555 666"), "nothing of the job was lost: " + printed.text());
    }

    @Test
    void a_silent_printer_is_offline_and_jobs_fail_saying_so() throws Exception {
        EscPosSimulator sim = start(null);
        sim.silence(true);
        await("offline", () -> driver.status().state() == DeviceStatus.State.OFFLINE);

        PrintResult r = driver.print(receipt("777 888"), Duration.ofMillis(300));

        assertFalse(r.printed());
        assertEquals("printer not answering", r.reason());
        assertNull(r.state());
        var e = assertThrows(CommandException.class,
                () -> driver.execute(new Command("c1", "printer-1", "status", Map.of())));
        assertEquals(CommandException.Kind.FAILED, e.kind());
    }

    @Test
    void a_pulled_cable_takes_the_printer_offline_and_it_prints_again_when_replugged() throws Exception {
        EscPosSimulator sim = start(null);
        device.unplug();
        pty.unplug();
        await("offline", () -> driver.status().state() == DeviceStatus.State.OFFLINE);

        pty.replug();
        device = PtyDevice.serve(sim, pty, 9600);
        // A job sent while the driver is still reconnecting waits for the port within its budget.
        PrintResult r = driver.print(receipt("999 000"), Duration.ofSeconds(5));
        assertTrue(r.printed(), r.reason());
        assertTrue(driver.status().counter("reconnects") >= 1);
        assertEquals(1, sim.awaitReceipts(1, WAIT).size());
    }

    @Test
    void print_test_page_and_status_commands_work_through_execute() throws Exception {
        EscPosSimulator sim = start(null);

        Map<String, Object> printed = driver.execute(new Command("c1", "printer-1", "print", Map.of(
                "lines", List.of(Map.of("text", "文档打印 Document", "bold", true, "size", 2, "align", "center"),
                        Map.of("text", "page 1/1")),
                "qr", "job-42", "cut", true)));
        assertEquals(true, printed.get("printed"));
        driver.execute(new Command("c2", "printer-1", "test-page", Map.of()));
        var receipts = sim.awaitReceipts(2, WAIT);
        assertTrue(receipts.get(0).text().startsWith("文档打印 Document\npage 1/1\n"), receipts.get(0).text());
        assertEquals(List.of("job-42"), receipts.get(0).qrCodes());
        assertTrue(receipts.get(1).text().contains("打印测试页"), receipts.get(1).text());

        Map<String, Object> status = driver.execute(new Command("c3", "printer-1", "status", Map.of()));
        assertEquals(Map.of("ready", true, "paper", "ok", "cover", "closed", "online", true), status);

        var bad = assertThrows(CommandException.class, () -> driver.execute(new Command("c4", "printer-1", "print",
                Map.of("lines", List.of(Map.of("text", "x", "size", 9))))));
        assertEquals(CommandException.Kind.BAD_ARGUMENT, bad.kind());
    }

    @Test
    void each_dle_eot_3_error_becomes_an_alarm_and_the_status_names_it() throws Exception {
        EscPosSimulator sim = start(null);
        for (EscPosSimulator.Error e : EscPosSimulator.Error.values()) {
            String text = switch (e) {
                case AUTO_CUTTER -> "cutter error";
                case UNRECOVERABLE -> "unrecoverable error";
                case AUTO_RECOVERABLE -> "auto-recoverable error (print head too hot?)";
            };
            sim.error(e);
            Message.Event alarm = sink.event("printer.error", WAIT);
            assertEquals(Message.Severity.ALARM, alarm.severity());
            assertEquals(text, alarm.data().get("error"));
            assertEquals(false, alarm.data().get("online"));
            await(text, () -> text.equals(driver.status().snapshot().lastError()));
            assertEquals(DeviceStatus.State.DEGRADED, driver.status().state());
            assertEquals(text, driver.execute(new Command("s-" + e, "printer-1", "status", Map.of())).get("error"));

            sim.clearError();
            sink.event("printer.ready", WAIT);
            await("ok after " + text, () -> driver.status().state() == DeviceStatus.State.OK);
        }
        PrintResult r = driver.print(receipt("123 456"), Duration.ofSeconds(2));
        assertTrue(r.printed(), r.reason());
    }

    @Test
    void a_noisy_line_does_not_keep_the_printer_from_its_next_job() throws Exception {
        pty = SocatPty.start(dir, "printer");
        EscPosSimulator sim = new EscPosSimulator(576, null);
        // No status-byte values in the noise, so it is never taken for an answer.
        int[] statusBytes = java.util.stream.IntStream.range(0, 256).filter(EscPosCodec::isStatusByte).toArray();
        NoisyLine noisy = new NoisyLine(sim, 7, statusBytes);
        device = PtyDevice.serve(noisy, pty, 9600);
        var cfg = new EscPosConfig(576, true, Duration.ofSeconds(1), Duration.ofMillis(300), null);
        driver = new EscPosDriver(Contexts.serial("printer-1", "escpos-printer", Duration.ofMillis(100),
                pty.driverEnd().toString(), 9600, false, cfg, sink, hardware));
        driver.start();
        await("first status", () -> driver.status().state() == DeviceStatus.State.OK);

        noisy.flood(true);
        await("noise on the line", () -> noisy.written() > 2_000 || noisy.failure() != null);
        assertEquals(null, noisy.failure());
        PrintResult during = driver.print(receipt("111 222"), Duration.ofSeconds(1));
        // The status poll drains before each query: before the bound it never came back and held the line.
        assertFalse("another job kept the printer busy".equals(during.reason()), during.reason());
        assertTrue(driver.status().counter("noisy_drains") > 0, driver.status().snapshot().counters().toString());
        assertTrue(driver.status().counter("late_bytes") >= EscPosDriver.DRAIN_MAX_BYTES);

        noisy.flood(false);
        // A pty keeps the noise it buffered (a real line does not): the polls drain it 256 bytes at a time.
        Await.until(Duration.ofSeconds(60), () -> driver.status().state() == DeviceStatus.State.OK,
                () -> "printer answering again after the noise: " + driver.status().snapshot());
        PrintResult after = driver.print(receipt("333 444"), Duration.ofSeconds(3));
        assertTrue(after.printed(), after.reason());
        var receipts = sim.awaitReceipts(during.printed() ? 2 : 1, WAIT);
        assertTrue(receipts.get(receipts.size() - 1).text().contains("333 444"));
    }
}
