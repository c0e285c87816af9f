package org.streetgate.kiosk;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.streetgate.drivers.escpos.EscPosConfig;
import org.streetgate.drivers.escpos.EscPosDriver;
import org.streetgate.drivers.escpos.EscPosSimulator;
import org.streetgate.drivers.locker.KerongConfig;
import org.streetgate.drivers.locker.KerongDriver;
import org.streetgate.drivers.locker.KerongSimulator;
import org.streetgate.drivers.qrscanner.QrScannerConfig;
import org.streetgate.drivers.qrscanner.QrScannerDriver;
import org.streetgate.drivers.qrscanner.QrScannerSimulator;
import org.streetgate.drivers.spi.Command;
import org.streetgate.drivers.spi.Driver;
import org.streetgate.drivers.spi.Message;
import org.streetgate.drivers.testing.Await;
import org.streetgate.drivers.testing.Contexts;
import org.streetgate.drivers.transport.Hardware;

/**
 * A kiosk on its simulators: the real locker-board, escpos-printer and qr-scanner drivers, each
 * talking its wire protocol to its simulator over an in-memory link ({@code sim: true}), and the
 * real KioskRuntime with its SQLite file and web server on a free port.
 */
final class KioskRig implements AutoCloseable {
    static final String COURIER_PIN = "246810";
    static final String TECH_PIN = "97531864";

    final List<Message.Event> events = new CopyOnWriteArrayList<>();
    final AtomicBoolean online = new AtomicBoolean(true);
    final AtomicLong clock = new AtomicLong(1_764_330_000_000L);
    final Hardware hardware = new Hardware();
    final KerongDriver locker;
    final EscPosDriver printer;
    final QrScannerDriver scanner;
    final Map<String, Driver> devices = new LinkedHashMap<>();
    final KioskSettings settings;
    final KioskRuntime kiosk;
    private int commands;

    KioskRig(Path dir) throws InterruptedException {
        this(dir, defaults());
    }

    KioskRig(Path dir, KioskSettings settings) throws InterruptedException {
        this(dir, settings, false);
    }

    /** @param signedCommands as on a gateway with security.command-keys */
    KioskRig(Path dir, KioskSettings settings, boolean signedCommands) throws InterruptedException {
        this.settings = settings;
        var sink = (org.streetgate.drivers.spi.Sink) m -> {
            if (m instanceof Message.Event e) {
                events.add(e);
            }
        };
        var lockerCfg = new KerongConfig(List.of(0), 16, Duration.ofMinutes(2), Duration.ofSeconds(10),
                Duration.ofSeconds(2), Duration.ofMillis(300), 1, null);
        locker = new KerongDriver(Contexts.serial("locker-1", "locker-board", Duration.ofMillis(40), "/dev/ttyUSB-locker",
                19200, true, lockerCfg, sink, hardware));
        var printerCfg = new EscPosConfig(576, true, Duration.ofSeconds(2), Duration.ofMillis(300), dir.resolve("receipts"));
        printer = new EscPosDriver(Contexts.serial("printer-1", "escpos-printer", Duration.ofMillis(100), "/dev/ttyUSB-printer",
                9600, true, printerCfg, sink, hardware));
        scanner = new QrScannerDriver(Contexts.serial("scanner-1", "qr-scanner", null, "/dev/ttyUSB-scanner", 9600, true,
                QrScannerConfig.defaults(), sink, hardware));
        devices.put("locker-1", locker);
        devices.put("printer-1", printer);
        devices.put("scanner-1", scanner);
        devices.values().forEach(Driver::start);
        Await.until(Duration.ofSeconds(5), () -> locker.doors().stream().allMatch(KerongDriver.DoorState::known)
                        && printer.lastState().isPresent() && scanner.simulator().isPresent(),
                () -> "simulated devices did not come up");
        var env = new KioskEnvironment(dir, sink, devices::get, online::get,
                () -> Map.of("buffer", Map.of("rows", 17, "oldest_unsent_age_s", 3),
                        "uplink", Map.of("connected", online.get(), "last_sync_ts", clock.get() - 5000),
                        "devices", Map.of("locker-1", Map.of("status", "ok"))),
                clock::get, "0.1.0-test", signedCommands);
        kiosk = KioskRuntime.start(settings, env);
    }

    static KioskSettings defaults() {
        return defaults(SecretHash.of(TECH_PIN, 1000));
    }

    static KioskSettings defaults(SecretHash technicianPin) {
        Map<String, List<Integer>> doors = new LinkedHashMap<>();
        doors.put("S", range(1, 8));
        doors.put("M", range(9, 14));
        doors.put("L", range(15, 16));
        return new KioskSettings("127.0.0.1", 0, "locker-1", "printer-1", "scanner-1", doors, 6, Duration.ofDays(3),
                1000, new AttemptLimiter.Settings(5, Duration.ofMinutes(1), Duration.ofMinutes(1), Duration.ofMinutes(15)),
                new AttemptLimiter.Settings(5, Duration.ofMinutes(1), Duration.ofMinutes(1), Duration.ofMinutes(15)),
                Duration.ofSeconds(60), List.of("zh", "en"),
                List.of(new KioskSettings.Courier("courier-a", SecretHash.of(COURIER_PIN, 1000))),
                technicianPin, Duration.ofSeconds(2), GuessBudget.Settings.defaults(), GuessBudget.Settings.defaults(), 8,
                Duration.ofDays(7), false);
    }

    static List<Integer> range(int from, int to) {
        List<Integer> out = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            out.add(i);
        }
        return out;
    }

    KerongSimulator lockerSim() {
        return locker.simulator().orElseThrow();
    }

    EscPosSimulator printerSim() {
        return printer.simulator().orElseThrow();
    }

    QrScannerSimulator scannerSim() {
        return scanner.simulator().orElseThrow();
    }

    KioskService service() {
        return (KioskService) kiosk.service();
    }

    Map<String, Object> command(String action, Map<String, Object> args) throws InterruptedException {
        return kiosk.execute(new Command("cmd-" + (++commands), "kiosk", action, args));
    }

    void addParcel(String parcel, int door, String code) throws InterruptedException {
        command("add-parcel", Map.of("parcel", parcel, "door", door, "code", code));
    }

    List<Message.Event> events(String type) {
        return events.stream().filter(e -> e.type().equals(type)).toList();
    }

    Message.Event awaitEvent(String type) throws InterruptedException {
        Await.until(Duration.ofSeconds(5), () -> !events(type).isEmpty(), () -> "no " + type + " event; got " + events);
        return events(type).get(0);
    }

    @Override
    public void close() {
        kiosk.close();
        devices.values().forEach(Driver::stop);
        hardware.close();
    }
}
