package org.streetgate.drivers.escpos;

/**
 * How a print job ended. A job that did not print says why ({@code paper out, waited 30 s},
 * {@code cover open}, {@code printer not answering}, ...), so the kiosk can tell the person and the
 * platform; nothing is dropped silently.
 *
 * @param state the printer's state when the job ended (null when it did not answer)
 */
public record PrintResult(boolean printed, String reason, PrinterState state) {
    public static PrintResult ok(PrinterState state) {
        return new PrintResult(true, null, state);
    }

    public static PrintResult failed(String reason, PrinterState state) {
        return new PrintResult(false, reason, state);
    }
}
