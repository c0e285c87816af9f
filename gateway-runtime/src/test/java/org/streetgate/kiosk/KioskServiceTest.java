package org.streetgate.kiosk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streetgate.drivers.escpos.EscPosSimulator;
import org.streetgate.drivers.spi.CommandException;
import org.streetgate.drivers.spi.Message;
import org.streetgate.drivers.testing.Await;
import org.streetgate.kioskui.KioskException;
import org.streetgate.kioskui.KioskException.Reason;
import org.streetgate.kioskui.KioskPort;

/**
 * The kiosk services over the real locker, printer and scanner drivers, each on its simulator
 * through an in-memory link: what happens at the doors, on the receipts and in the events.
 */
class KioskServiceTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final Pattern RECEIPT_CODE = Pattern.compile("sg-pickup:(\\d+):(\\d{6,8})");

    @TempDir
    Path dir;
    private KioskRig rig;
    private KioskService kiosk;

    @BeforeEach
    void start() throws Exception {
        rig = new KioskRig(dir);
        kiosk = rig.service();
    }

    @AfterEach
    void stop() {
        rig.close();
    }

    private static Reason reason(Executable e) {
        return assertThrows(KioskException.class, e::run).reason();
    }

    @FunctionalInterface
    interface Executable {
        void run() throws Exception;
    }

    @Test
    void a_valid_code_opens_its_door_and_closing_it_reports_the_pickup() throws Exception {
        rig.addParcel("parcel-1", 5, "482913");
        assertEquals(5, kiosk.pickupByCode(5, "482913").door());
        assertTrue(rig.lockerSim().isOpen(5));
        Message.Event opened = rig.awaitEvent("kiosk.door-opened");
        assertEquals(Map.of("door", 5, "reason", "pickup", "parcel", "parcel-1"), opened.data());
        assertTrue(rig.events("parcel.picked-up").isEmpty(), "picked up only once the door is shut");
        rig.lockerSim().closeDoor(5);
        Message.Event picked = rig.awaitEvent("parcel.picked-up");
        assertEquals("parcel-1", picked.data().get("parcel"));
        assertEquals(5, picked.data().get("door"));
        assertEquals(true, picked.data().get("door_closed"));
    }

    @Test
    void a_code_opens_its_door_once() throws Exception {
        rig.addParcel("parcel-1", 5, "482913");
        kiosk.pickupByCode(5, "482913");
        rig.lockerSim().closeDoor(5);
        rig.awaitEvent("parcel.picked-up");
        assertEquals(Reason.WRONG_CODE, reason(() -> kiosk.pickupByCode(5, "482913")));
        assertEquals(1, rig.lockerSim().unlocks(5));
    }

    @Test
    void five_wrong_codes_lock_the_screen_even_for_the_right_code() throws Exception {
        rig.addParcel("parcel-1", 5, "482913");
        for (int i = 0; i < 4; i++) {
            assertEquals(Reason.WRONG_CODE, reason(() -> kiosk.pickupByCode(5, "11111" + 1)));
        }
        KioskException locked = assertThrows(KioskException.class, () -> kiosk.pickupByCode(5, "999999"));
        assertEquals(Reason.LOCKED_OUT, locked.reason());
        assertEquals(60, locked.retryAfterSeconds());
        assertEquals(Reason.LOCKED_OUT, reason(() -> kiosk.pickupByCode(5, "482913")));
        assertEquals(0, rig.lockerSim().unlocks(5));
        assertEquals(Map.of("what", "code", "scope", "cool-down", "cool_down_s", 60L), rig.awaitEvent("kiosk.lockout").data());
    }

    @Test
    void an_expired_code_opens_nothing() throws Exception {
        rig.command("add-parcel", Map.of("parcel", "parcel-1", "door", 5, "code", "482913",
                "expires", rig.clock.get() + 60_000));
        rig.clock.addAndGet(61_000);
        assertEquals(Reason.WRONG_CODE, reason(() -> kiosk.pickupByCode(5, "482913")));
        assertEquals(0, rig.lockerSim().unlocks(5));
        Message.Event expired = rig.awaitEvent("parcel.expired");
        assertEquals("parcel-1", expired.data().get("parcel"));
        assertTrue(kiosk.busy().contains(5), "the uncollected parcel still fills its door");
    }

    @Test
    void pickup_works_while_the_platform_is_unreachable() throws Exception {
        rig.addParcel("parcel-1", 7, "55667788");
        rig.online.set(false);
        assertFalse(kiosk.status().platformOnline());
        assertEquals(7, kiosk.pickupByCode(7, "55667788").door());
    }

    @Test
    void a_cancelled_parcel_cannot_be_picked_up() throws Exception {
        rig.addParcel("parcel-1", 5, "482913");
        assertEquals(Map.of("parcel", "parcel-1", "cancelled", true),
                rig.command("cancel-parcel", Map.of("parcel", "parcel-1")));
        assertEquals(Reason.WRONG_CODE, reason(() -> kiosk.pickupByCode(5, "482913")));
        CommandException again = assertThrows(CommandException.class,
                () -> rig.command("cancel-parcel", Map.of("parcel", "parcel-1")));
        assertEquals(CommandException.Kind.REFUSED, again.kind());
    }

    @Test
    void add_parcel_takes_a_code_hash_from_the_platform() throws Exception {
        String hash = SecretHash.of("31415926", 2000).text();
        rig.command("add-parcel", Map.of("parcel", "cert-9", "door", 12, "code_hash", hash));
        assertEquals(12, kiosk.pickupByCode(12, "31415926").door());
    }

    @Test
    void add_parcel_rejects_bad_arguments_without_quoting_the_code() throws Exception {
        rig.addParcel("parcel-1", 5, "482913");
        record Case(Map<String, Object> args, CommandException.Kind kind, String says) {}
        List<Case> cases = List.of(
                new Case(Map.of("parcel", "p2", "door", 6), CommandException.Kind.BAD_ARGUMENT, "exactly one of 'code'"),
                new Case(Map.of("parcel", "p2", "door", 6, "code", "12ab56"), CommandException.Kind.BAD_ARGUMENT, "6 to 8 digits"),
                new Case(Map.of("parcel", "p2", "door", 99, "code", "123456"), CommandException.Kind.BAD_ARGUMENT, "'door'"),
                new Case(Map.of("parcel", "p 2", "door", 6, "code", "123456"), CommandException.Kind.BAD_ARGUMENT, "'parcel'"),
                new Case(Map.of("parcel", "p2", "door", 6, "code_hash", "123456"), CommandException.Kind.BAD_ARGUMENT, "code_hash"),
                new Case(Map.of("parcel", "p2", "door", 6, "code", "123456", "expires", 5), CommandException.Kind.BAD_ARGUMENT, "expires"),
                new Case(Map.of("parcel", "p2", "door", 5, "code", "123456"), CommandException.Kind.REFUSED, "already holds"),
                new Case(Map.of("parcel", "parcel-1", "door", 6, "code", "123456"), CommandException.Kind.REFUSED, "already known"));
        for (Case c : cases) {
            CommandException e = assertThrows(CommandException.class, () -> rig.command("add-parcel", c.args()));
            assertEquals(c.kind(), e.kind(), c.toString());
            assertTrue(e.getMessage().contains(c.says()), e.getMessage());
            assertFalse(e.getMessage().contains("12ab56") || e.getMessage().contains("123456"), e.getMessage());
        }
        assertEquals(CommandException.Kind.UNKNOWN_ACTION,
                assertThrows(CommandException.class, () -> rig.command("explode", Map.of())).kind());
    }

    @Test
    void a_drop_off_prints_a_receipt_whose_code_picks_the_parcel_up() throws Exception {
        KioskPort.Session courier = kiosk.courierLogin(KioskRig.COURIER_PIN);
        assertEquals(new KioskPort.DoorSize("S", 8), kiosk.freeDoors(courier.token()).get(0));
        KioskPort.Deposit d = kiosk.deposit(courier.token(), "M");
        assertEquals(9, d.door());
        assertTrue(rig.lockerSim().isOpen(9));
        assertEquals(5, kiosk.freeDoors(courier.token()).get(1).free(), "the open door is not offered again");
        rig.lockerSim().occupy(9, true);
        rig.lockerSim().closeDoor(9);
        Message.Event deposited = rig.awaitEvent("parcel.deposited");
        List<EscPosSimulator.PrintedReceipt> receipts = rig.printerSim().awaitReceipts(1, WAIT);
        Matcher m = RECEIPT_CODE.matcher(String.join(" ", receipts.get(0).qrCodes()));
        assertTrue(m.find(), "receipt QR: " + receipts.get(0).qrCodes());
        assertEquals("9", m.group(1), "the QR names its door");
        String code = m.group(2);
        assertEquals(6, code.length());
        assertTrue(receipts.get(0).text().contains(code), "the code is printed as text too");
        assertEquals(9, deposited.data().get("door"));
        assertEquals("courier-a", deposited.data().get("courier"));
        assertEquals(true, deposited.data().get("receipt_printed"));
        assertFalse(deposited.data().toString().contains(code), "the event never carries the code");
        assertEquals(Map.of("door", 9, "reason", "drop-off", "parcel", deposited.data().get("parcel"), "courier", "courier-a"),
                rig.events("kiosk.door-opened").get(0).data());

        assertEquals(9, kiosk.pickupByCode(9, code).door());
        rig.lockerSim().closeDoor(9);
        assertEquals(deposited.data().get("parcel"), rig.awaitEvent("parcel.picked-up").data().get("parcel"));
    }

    @Test
    void drop_off_waits_for_paper_and_opens_no_door_meanwhile() throws Exception {
        KioskPort.Session courier = kiosk.courierLogin(KioskRig.COURIER_PIN);
        rig.printerSim().paperOut();
        Await.until(WAIT, () -> "paper-out".equals(kiosk.status().printerProblem()), () -> "paper-out not seen");
        assertEquals(Reason.PRINTER_UNAVAILABLE, reason(() -> kiosk.deposit(courier.token(), "S")));
        assertEquals(0, rig.lockerSim().unlocks(1));
        assertFalse(kiosk.status().printerReady());
    }

    @Test
    void courier_pins_are_checked_and_sessions_are_needed() throws Exception {
        assertEquals(Reason.WRONG_CODE, reason(() -> kiosk.courierLogin("000000")));
        assertEquals(Reason.NOT_LOGGED_IN, reason(() -> kiosk.freeDoors("made-up")));
        KioskPort.Session tech = kiosk.technicianLogin(KioskRig.TECH_PIN);
        assertEquals(Reason.NOT_LOGGED_IN, reason(() -> kiosk.deposit(tech.token(), "S")), "a technician is not a courier");
        KioskPort.Session courier = kiosk.courierLogin(KioskRig.COURIER_PIN);
        kiosk.endSession(courier.token());
        assertEquals(Reason.NOT_LOGGED_IN, reason(() -> kiosk.freeDoors(courier.token())));
    }

    @Test
    void a_scanned_pickup_qr_opens_the_door_and_tells_the_screen() throws Exception {
        List<KioskPort.LiveEvent> live = new CopyOnWriteArrayList<>();
        kiosk.subscribe(live::add);
        rig.addParcel("parcel-1", 3, "482913");
        rig.scannerSim().scan("sg-pickup:3:482913");
        Await.until(WAIT, () -> rig.lockerSim().isOpen(3), () -> "door 3 did not open");
        Await.until(WAIT, () -> live.stream().anyMatch(e -> e.type().equals("pickup")), () -> "no live pickup: " + live);
        rig.lockerSim().closeDoor(3);
        Await.until(WAIT, () -> live.stream().anyMatch(e -> e.type().equals("door-closed") && e.data().get("door").equals(3)),
                () -> "no live door-closed: " + live);
        assertEquals("qr", rig.awaitEvent("parcel.picked-up").data().get("via"));
    }

    @Test
    void a_print_job_prints_when_its_qr_is_scanned_and_only_once() throws Exception {
        List<KioskPort.LiveEvent> live = new CopyOnWriteArrayList<>();
        kiosk.subscribe(live::add);
        rig.command("add-print-job", Map.of("job", "doc-1", "qr", "tok-abcdef123",
                "document", Map.of("text", "居住证明\nCertificate of residence")));
        rig.scannerSim().scan("sg-print:tok-abcdef123");
        List<EscPosSimulator.PrintedReceipt> receipts = rig.printerSim().awaitReceipts(1, WAIT);
        assertTrue(receipts.get(0).text().contains("Certificate of residence"), receipts.get(0).text());
        assertEquals(Map.of("job", "doc-1"), rig.awaitEvent("print.job-printed").data());
        Await.until(WAIT, () -> live.stream().anyMatch(e -> e.type().equals("print")), () -> "no live print: " + live);
        assertEquals(Reason.WRONG_CODE, reason(() -> kiosk.printByQr("sg-print:tok-abcdef123")));
    }

    @Test
    void add_print_job_checks_the_document() {
        CommandException e = assertThrows(CommandException.class, () -> rig.command("add-print-job",
                Map.of("job", "doc-1", "qr", "tok-abcdef123", "document", Map.of("lines", List.of(Map.of("text", "x", "size", 9))))));
        assertEquals(CommandException.Kind.BAD_ARGUMENT, e.kind());
        CommandException shortQr = assertThrows(CommandException.class, () -> rig.command("add-print-job",
                Map.of("job", "doc-1", "qr", "short", "document", Map.of("text", "x"))));
        assertEquals(CommandException.Kind.BAD_ARGUMENT, shortQr.kind());
    }

    @Test
    void the_technician_sees_status_and_opens_a_door_on_record() throws Exception {
        assertEquals(Reason.NOT_LOGGED_IN, reason(() -> kiosk.maintenance("nope")));
        KioskPort.Session tech = kiosk.technicianLogin(KioskRig.TECH_PIN);
        Map<String, Object> m = kiosk.maintenance(tech.token());
        assertEquals(17, m.get("buffer_rows"));
        assertEquals("0.1.0-test", m.get("version"));
        assertEquals(rig.clock.get() - 5000, m.get("last_sync"));
        assertEquals(16, ((List<?>) m.get("doors")).size());
        assertEquals(true, kiosk.maintenanceAction(tech.token(), "open-door", Map.of("door", 14)).get("opened"));
        assertEquals("technician", rig.awaitEvent("kiosk.door-opened").data().get("reason"));
        assertEquals(true, kiosk.maintenanceAction(tech.token(), "print-test", Map.of()).get("printed"));
        rig.printerSim().awaitReceipts(1, WAIT);
        Map<String, Object> sensors = kiosk.maintenanceAction(tech.token(), "read-sensors", Map.of());
        assertEquals("open", ((Map<?, ?>) ((List<?>) sensors.get("doors")).get(13)).get("state"));
    }

    @Test
    void the_platform_can_open_a_door_on_record() throws Exception {
        assertEquals(true, rig.command("open-door", Map.of("door", 2)).get("opened"));
        Message.Event e = rig.awaitEvent("kiosk.door-opened");
        assertEquals("remote-command", e.data().get("reason"));
        assertEquals(2, e.data().get("door"));
    }

    @Test
    void technician_pin_is_rate_limited() throws Exception {
        for (int i = 0; i < 4; i++) {
            assertEquals(Reason.WRONG_CODE, reason(() -> kiosk.technicianLogin("00000")));
        }
        assertEquals(Reason.LOCKED_OUT, reason(() -> kiosk.technicianLogin("00000")));
        assertEquals(Reason.LOCKED_OUT, reason(() -> kiosk.technicianLogin(KioskRig.TECH_PIN)));
    }

    @Test
    void a_code_opens_only_its_own_door_and_a_qr_must_name_the_door() throws Exception {
        rig.addParcel("parcel-5", 5, "482913");
        rig.addParcel("parcel-6", 6, "735102");
        assertEquals(Reason.WRONG_CODE, reason(() -> kiosk.pickupByCode(6, "482913")), "parcel 5's code at door 6");
        assertEquals(Reason.WRONG_CODE, reason(() -> kiosk.pickupByCode(7, "482913")), "at an empty door");
        assertEquals(Reason.WRONG_CODE, reason(() -> kiosk.pickupByQr("sg-pickup:482913")), "a QR without its door");
        assertEquals(Reason.WRONG_CODE, reason(() -> kiosk.pickupByQr("sg-pickup:6:482913")));
        assertEquals(4L, ((Map<?, ?>) kiosk.guessing().get("code")).get("wrong_total"), "each counted");
        assertEquals(0, rig.lockerSim().unlocks(5) + rig.lockerSim().unlocks(6));
        assertEquals(5, kiosk.pickupByQr("sg-pickup:5:482913").door());
        assertEquals(6, kiosk.pickupByCode(6, "735102").door());
    }

    @Test
    void a_printed_document_is_removed_from_kiosk_db_after_the_retention() throws Exception {
        String text = "Certificate of residence: ZHANG Wei, 17 Lotus Lane";
        rig.command("add-print-job", Map.of("job", "doc-1", "qr", "tok-abcdef123", "document", Map.of("text", text)));
        assertTrue(kiosk.printByQr("sg-print:tok-abcdef123").printed());
        kiosk.purge();
        assertTrue(kioskDbBytes().contains(text), "kept until the retention is over");
        rig.clock.addAndGet(Duration.ofDays(7).plusMinutes(1).toMillis());
        kiosk.purge();
        assertFalse(kioskDbBytes().contains(text), "the document lingers in kiosk.db");
    }

    private String kioskDbBytes() throws java.io.IOException {
        StringBuilder sb = new StringBuilder();
        for (String name : List.of("kiosk.db", "kiosk.db-wal")) {
            Path f = dir.resolve(name);
            if (java.nio.file.Files.exists(f)) {
                sb.append(new String(java.nio.file.Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
            }
        }
        return sb.toString();
    }

    /** Wrong codes 15 s apart: never 5 in a minute, so only the day's budget can stop them. */
    private void patientWrongCodes(int n) {
        for (int i = 0; i < n; i++) {
            String guess = "11111" + (i % 10);
            assertEquals(Reason.WRONG_CODE, reason(() -> kiosk.pickupByCode(5, guess)), "attempt " + (i + 1));
            rig.clock.addAndGet(15_000);
        }
    }

    @Test
    void the_31st_wrong_code_in_a_day_is_refused_even_15_s_apart_with_one_lockout_event() throws Exception {
        rig.addParcel("parcel-1", 5, "482913");
        patientWrongCodes(29);
        KioskException thirtieth = assertThrows(KioskException.class, () -> kiosk.pickupByCode(5, "222222"));
        assertEquals(Reason.LOCKED_OUT, thirtieth.reason(), "the 30th wrong code uses the budget up");
        assertEquals(Duration.ofHours(24).minusSeconds(29 * 15).toSeconds(), thirtieth.retryAfterSeconds());
        rig.clock.addAndGet(15_000);
        assertEquals(Reason.LOCKED_OUT, reason(() -> kiosk.pickupByCode(5, "482913")), "the 31st, right or not, is refused");
        rig.clock.addAndGet(Duration.ofHours(1).toMillis());
        assertEquals(Reason.LOCKED_OUT, reason(() -> kiosk.pickupByCode(5, "482913")), "an hour later still");
        assertEquals(0, rig.lockerSim().unlocks(5));
        List<Message.Event> lockouts = rig.events("kiosk.lockout");
        assertEquals(1, lockouts.size(), lockouts.toString());
        assertEquals(Message.Severity.ALARM, lockouts.get(0).severity());
        assertEquals("budget", lockouts.get(0).data().get("scope"));
        assertEquals(30, lockouts.get(0).data().get("wrong_attempts"));
        assertEquals(30L, rig.kiosk.health().get("wrong_attempts"));

        // A day after the first wrong code, one more guess may be checked.
        rig.clock.addAndGet(Duration.ofHours(23).toMillis());
        assertEquals(5, kiosk.pickupByCode(5, "482913").door());
    }

    @Test
    void scanned_and_typed_qrs_spend_the_same_budget_as_codes() throws Exception {
        rig.addParcel("parcel-1", 5, "482913");
        patientWrongCodes(27);
        assertEquals(Reason.WRONG_CODE, reason(() -> kiosk.printByQr("sg-print:not-a-job-token")));
        rig.clock.addAndGet(15_000);
        assertEquals(Reason.WRONG_CODE, reason(() -> kiosk.pickupByQr("sg-pickup:5:999999")));
        rig.clock.addAndGet(15_000);
        rig.scannerSim().scan("sg-pickup:5:888888");
        rig.awaitEvent("kiosk.lockout");
        assertEquals(Reason.LOCKED_OUT, reason(() -> kiosk.pickupByCode(5, "482913")));
        assertEquals(30L, ((Map<?, ?>) kiosk.guessing().get("code")).get("wrong_total"));
    }

    @Test
    void the_platform_clears_a_suspension_with_clear_lockout() throws Exception {
        rig.addParcel("parcel-1", 5, "482913");
        patientWrongCodes(29);
        assertEquals(Reason.LOCKED_OUT, reason(() -> kiosk.pickupByCode(5, "000000")));
        CommandException bad = assertThrows(CommandException.class,
                () -> rig.command("clear-lockout", Map.of("what", "everything")));
        assertEquals(CommandException.Kind.BAD_ARGUMENT, bad.kind());
        assertEquals(Map.of("cleared", List.of("code")), rig.command("clear-lockout", Map.of("what", "code")));
        assertEquals(5, kiosk.pickupByCode(5, "482913").door());
        Message.Event cleared = rig.awaitEvent("kiosk.lockout-cleared");
        assertEquals("code", cleared.data().get("what"));
        assertEquals(true, cleared.data().get("was_locked"));
        assertEquals(Map.of("cleared", List.of("code", "courier-pin", "technician-pin")),
                rig.command("clear-lockout", Map.of()));
    }

    @Test
    void a_suspension_survives_a_restart_of_the_kiosk() throws Exception {
        rig.addParcel("parcel-1", 5, "482913");
        patientWrongCodes(29);
        assertEquals(Reason.LOCKED_OUT, reason(() -> kiosk.pickupByCode(5, "000000")));
        long clock = rig.clock.get();
        rig.close();
        rig = new KioskRig(dir);
        rig.clock.set(clock + 60_000);
        kiosk = rig.service();
        assertEquals(Reason.LOCKED_OUT, reason(() -> kiosk.pickupByCode(5, "482913")));
        assertEquals(30L, rig.kiosk.health().get("wrong_attempts"));
    }

    @Test
    void wrong_pins_are_counted_and_budgeted_too() throws Exception {
        for (int i = 0; i < 29; i++) {
            assertEquals(Reason.WRONG_CODE, reason(() -> kiosk.courierLogin("000000")), "attempt " + (i + 1));
            rig.clock.addAndGet(15_000);
        }
        assertEquals(Reason.LOCKED_OUT, reason(() -> kiosk.courierLogin("000000")));
        assertEquals(Reason.LOCKED_OUT, reason(() -> kiosk.courierLogin(KioskRig.COURIER_PIN)));
        assertEquals(Reason.WRONG_CODE, reason(() -> kiosk.technicianLogin("12345678")));
        assertEquals(31L, rig.kiosk.health().get("wrong_attempts"));
        Message.Event e = rig.awaitEvent("kiosk.lockout");
        assertEquals("courier-pin", e.data().get("what"));
        assertEquals("budget", e.data().get("scope"));
        assertEquals(1L, ((Map<?, ?>) kiosk.guessing().get("technician-pin")).get("wrong_total"));
    }

    @Test
    void a_technician_pin_of_another_length_is_wrong_without_being_hashed() throws Exception {
        rig.close();
        // A profile that declares 8 digits beside the hash of a 5-digit PIN: the short PIN never gets in.
        rig = new KioskRig(dir, KioskRig.defaults(SecretHash.of("97531", 1000)));
        kiosk = rig.service();
        assertEquals(Reason.WRONG_CODE, reason(() -> kiosk.technicianLogin("97531")));
        assertEquals(1L, ((Map<?, ?>) kiosk.guessing().get("technician-pin")).get("wrong_total"));
    }

    @Test
    void no_code_or_pin_appears_in_any_log_line_or_event() throws Exception {
        PrintStream out = System.out;
        PrintStream err = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream tee = new PrintStream(captured, true, StandardCharsets.UTF_8);
        System.setOut(tee);
        System.setErr(tee);
        String code;
        try {
            rig.addParcel("parcel-1", 4, "736251");
            kiosk.pickupByCode(4, "736251");
            rig.lockerSim().closeDoor(4);
            rig.awaitEvent("parcel.picked-up");
            reason(() -> kiosk.pickupByCode(4, "736251")); // a used code, tried again
            rig.scannerSim().scan("sg-pickup:4:736251");
            Await.until(WAIT, () -> rig.events("kiosk.door-opened").size() == 1 && kioskLogHas(captured), () -> "no log");
            reason(() -> kiosk.courierLogin("864200"));
            KioskPort.Session c = kiosk.courierLogin(KioskRig.COURIER_PIN);
            kiosk.deposit(c.token(), "S");
            rig.lockerSim().closeDoor(1);
            rig.awaitEvent("parcel.deposited");
            Matcher m = RECEIPT_CODE.matcher(String.join(" ", rig.printerSim().awaitReceipts(1, WAIT).get(0).qrCodes()));
            assertTrue(m.find());
            code = m.group(2);
            kiosk.pickupByCode(1, code);
            kiosk.technicianLogin(KioskRig.TECH_PIN);
            // The last door opening's own log lines (kiosk and locker) have landed once they show.
            Await.until(WAIT, () -> captured.toString(StandardCharsets.UTF_8).contains("door 1 opened (pickup)")
                    && rig.events("door.opened").size() == 3, () -> "the last pickup's log lines and door event");
        } finally {
            System.setOut(out);
            System.setErr(err);
        }
        String log = captured.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("kiosk: door 4 opened (pickup)"), "the capture works: " + log);
        for (String secret : List.of("736251", "864200", KioskRig.COURIER_PIN, KioskRig.TECH_PIN, code)) {
            assertFalse(log.contains(secret), "log line with a secret:\n" + log);
            for (Message.Event e : rig.events) {
                assertFalse(e.data().toString().contains(secret), "event with a secret: " + e);
            }
        }
    }

    private static boolean kioskLogHas(ByteArrayOutputStream captured) {
        return captured.toString(StandardCharsets.UTF_8).contains("door 4 opened");
    }
}
