package org.streetgate.kioskui;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * What the kiosk screen needs from the gateway. The runtime implements it over its lockers, printer,
 * scanner and pickup-code store; tests implement it with a fake. Every method either returns what
 * happened or throws {@link KioskException} saying why not, in words the screen can translate.
 *
 * <p>Codes and PINs pass through these methods and nowhere else: an implementation must not log them
 * or put them in events.
 */
public interface KioskPort {

    /**
     * Opens {@code door} if the parcel waiting in it has this pickup code. The code is checked against
     * that one parcel only: a guess can hit one parcel, never any of the waiting ones.
     */
    Pickup pickupByCode(int door, String code) throws InterruptedException;

    /**
     * Opens the door of the parcel whose receipt QR (or platform QR) was scanned or typed:
     * {@code sg-pickup:<door>:<code>}, which names its door as well.
     */
    Pickup pickupByQr(String qr) throws InterruptedException;

    /** Checks a courier PIN; the session authorises {@link #freeDoors} and {@link #deposit}. */
    Session courierLogin(String pin);

    /** How many doors of each size are free now, in the configured size order. */
    List<DoorSize> freeDoors(String courierSession);

    /**
     * Opens a free door of {@code size} for a courier. When the door is shut again the runtime makes a
     * pickup code, prints the receipt and pushes {@code deposit-done} to the screen.
     */
    Deposit deposit(String courierSession, String size) throws InterruptedException;

    /** Prints the platform print job whose QR this is. */
    PrintOutcome printByQr(String qr) throws InterruptedException;

    /** What the screen shows around its content: offline banner, printer message, timeouts, languages. */
    ScreenStatus status();

    /** Checks the technician PIN; the session authorises {@link #maintenance} and its actions. */
    Session technicianLogin(String pin);

    /** Device status, buffer depth, last sync, version: JSON-friendly values for the maintenance page. */
    Map<String, Object> maintenance(String technicianSession);

    /** A test action: {@code open-door} ({@code door}), {@code print-test}, {@code read-sensors}. */
    Map<String, Object> maintenanceAction(String technicianSession, String action, Map<String, Object> args)
            throws InterruptedException;

    /** Ends a courier or technician session (the screen's idle timeout and "done" button call it). */
    void endSession(String session);

    /**
     * Delivers live updates (door closed, scan received, status changed) until the returned handle is
     * closed. Listeners are called on the implementation's threads and must return quickly.
     */
    AutoCloseable subscribe(Consumer<LiveEvent> listener);

    /** A door opened for a pickup: the person takes the parcel and shuts the door. */
    record Pickup(int door) {}

    /** A door opened for a courier's drop-off. */
    record Deposit(int door, String size) {}

    record Session(String token, String name) {}

    record DoorSize(String size, int free) {}

    record PrintOutcome(boolean printed, String job) {}

    /**
     * @param printerProblem null when the printer is ready, else {@code paper-out}, {@code cover-open},
     *                       {@code offline} or {@code error}
     */
    record ScreenStatus(boolean platformOnline, boolean printerReady, String printerProblem, boolean paperLow,
                        int idleTimeoutSeconds, List<String> languages, int codeMinLength, int codeMaxLength,
                        String version) {
        public ScreenStatus {
            languages = List.copyOf(languages);
        }
    }

    /**
     * One update for the page. Types the screen understands: {@code status} (a new {@link ScreenStatus}),
     * {@code door-closed} ({@code door}), {@code pickup} (a scanned QR opened {@code door}),
     * {@code deposit-done} ({@code door}, {@code printed}), {@code print} ({@code printed}, {@code error}),
     * {@code scan-error} ({@code error}).
     */
    record LiveEvent(String type, Map<String, Object> data) {
        public LiveEvent {
            // Values may be null (e.g. no printer problem), which Map.copyOf refuses.
            data = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(data));
        }
    }
}
