package org.streetgate.kioskui;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/** A kiosk in memory: a few codes, one courier PIN, one technician PIN, a lock-out after N wrong codes. */
final class FakeKioskPort implements KioskPort {
    final Map<String, Integer> codes = new ConcurrentHashMap<>();
    final List<Consumer<LiveEvent>> listeners = new CopyOnWriteArrayList<>();
    final List<Integer> opened = new CopyOnWriteArrayList<>();
    final AtomicInteger wrong = new AtomicInteger();
    volatile int lockAfter = 3;
    volatile long lockSeconds = 30;
    volatile boolean online = true;
    volatile String printerProblem;
    volatile int idleTimeoutSeconds = 60;
    volatile boolean explode;
    volatile String courierPin = "2468";
    volatile String techPin = "9753";
    final Map<String, String> sessions = new ConcurrentHashMap<>();
    private final AtomicInteger nextDoor = new AtomicInteger(10);

    @Override
    public Pickup pickupByCode(int requestedDoor, String code) {
        if (explode) {
            throw new IllegalStateException("boom");
        }
        if (wrong.get() >= lockAfter) {
            throw KioskException.lockedOut(lockSeconds);
        }
        Integer door = codes.get(code);
        if (door == null || door != requestedDoor || !codes.remove(code, door)) {
            if (wrong.incrementAndGet() >= lockAfter) {
                throw KioskException.lockedOut(lockSeconds);
            }
            throw new KioskException(KioskException.Reason.WRONG_CODE, "no parcel for that code");
        }
        opened.add(door);
        return new Pickup(door);
    }

    @Override
    public Pickup pickupByQr(String qr) {
        String[] parts = qr.replace("sg-pickup:", "").split(":");
        return pickupByCode(Integer.parseInt(parts[0]), parts[1]);
    }

    @Override
    public Session courierLogin(String pin) {
        if (!pin.equals(courierPin)) {
            throw new KioskException(KioskException.Reason.WRONG_CODE, "wrong courier PIN");
        }
        String token = "c-" + sessions.size();
        sessions.put(token, "courier");
        return new Session(token, "Courier A");
    }

    private void need(String session, String role) {
        if (!role.equals(sessions.get(session))) {
            throw new KioskException(KioskException.Reason.NOT_LOGGED_IN, "no " + role + " session");
        }
    }

    @Override
    public List<DoorSize> freeDoors(String courierSession) {
        need(courierSession, "courier");
        return List.of(new DoorSize("S", 2), new DoorSize("M", 0), new DoorSize("L", 1));
    }

    @Override
    public Deposit deposit(String courierSession, String size) {
        need(courierSession, "courier");
        if (size.equals("M")) {
            throw new KioskException(KioskException.Reason.NO_FREE_DOOR, "no free M door");
        }
        int door = nextDoor.getAndIncrement();
        opened.add(door);
        return new Deposit(door, size);
    }

    @Override
    public PrintOutcome printByQr(String qr) {
        if (printerProblem != null) {
            throw new KioskException(KioskException.Reason.PRINTER_UNAVAILABLE, printerProblem);
        }
        return new PrintOutcome(true, "job-1");
    }

    @Override
    public ScreenStatus status() {
        return new ScreenStatus(online, printerProblem == null, printerProblem, false, idleTimeoutSeconds,
                List.of("zh", "en"), 6, 8, "0.1.0-test");
    }

    @Override
    public Session technicianLogin(String pin) {
        if (!pin.equals(techPin)) {
            throw new KioskException(KioskException.Reason.WRONG_CODE, "wrong technician PIN");
        }
        String token = "t-" + sessions.size();
        sessions.put(token, "tech");
        return new Session(token, "technician");
    }

    @Override
    public Map<String, Object> maintenance(String technicianSession) {
        need(technicianSession, "tech");
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", "0.1.0-test");
        m.put("platform_online", online);
        m.put("buffer_rows", 42);
        m.put("last_sync", 1_764_330_000_000L);
        m.put("devices", Map.of("locker-1", Map.of("state", "ok"), "printer-1", Map.of("state", "degraded")));
        return m;
    }

    @Override
    public Map<String, Object> maintenanceAction(String technicianSession, String action, Map<String, Object> args) {
        need(technicianSession, "tech");
        return switch (action) {
            case "open-door" -> {
                int door = ((Number) args.get("door")).intValue();
                opened.add(door);
                yield Map.of("door", door, "opened", true);
            }
            case "print-test" -> Map.of("printed", true);
            case "read-sensors" -> Map.of("doors", List.of(Map.of("door", 1, "state", "closed")));
            default -> throw new KioskException(KioskException.Reason.NOT_FOUND, "no action " + action);
        };
    }

    @Override
    public void endSession(String session) {
        sessions.remove(session);
    }

    @Override
    public AutoCloseable subscribe(Consumer<LiveEvent> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    void push(String type, Map<String, Object> data) {
        for (Consumer<LiveEvent> l : new ArrayList<>(listeners)) {
            l.accept(new LiveEvent(type, data));
        }
    }

    void pushStatus() {
        Map<String, Object> m = new LinkedHashMap<>();
        ScreenStatus s = status();
        m.put("platform_online", s.platformOnline());
        m.put("printer_ready", s.printerReady());
        m.put("printer_problem", s.printerProblem());
        m.put("paper_low", s.paperLow());
        m.put("idle_timeout_seconds", s.idleTimeoutSeconds());
        m.put("languages", s.languages());
        m.put("code_min_length", s.codeMinLength());
        m.put("code_max_length", s.codeMaxLength());
        m.put("version", s.version());
        push("status", java.util.Collections.unmodifiableMap(m));
    }
}
