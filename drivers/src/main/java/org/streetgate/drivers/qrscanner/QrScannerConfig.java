package org.streetgate.drivers.qrscanner;

import org.streetgate.drivers.config.ConfigReader;

/**
 * @param terminator   what ends each code: {@code any} (default: CR, LF or CR LF), {@code cr}, {@code lf},
 *                     {@code crlf}, {@code tab} or a byte {@code 0xNN}
 * @param maxLength    longest code (line) accepted, in bytes, default 4096; a longer line is dropped up to
 *                     its terminator and counted
 * @param publishScans whether each scan also goes to the platform as a {@code scan} event with the code.
 *                     Off by default: at a parcel kiosk most scans are pickup codes, which are secrets
 *                     that open doors. The kiosk service takes scans through
 *                     {@link QrScannerDriver#addScanListener} on the gateway itself, so a code never needs
 *                     to leave the box, sit in the outbox, or travel over MQTT. Turn it on for devices whose
 *                     codes are not secrets (e.g. asset tags scanned by a technician).
 */
public record QrScannerConfig(QrScannerCodec.Terminator terminator, int maxLength, boolean publishScans) {
    public QrScannerConfig {
        if (terminator == null) {
            throw new IllegalArgumentException("terminator must be set");
        }
        if (maxLength < 1) {
            throw new IllegalArgumentException("max-length must be at least 1");
        }
    }

    public static QrScannerConfig defaults() {
        return new QrScannerConfig(QrScannerCodec.Terminator.ANY, QrScannerCodec.DEFAULT_MAX_LENGTH, false);
    }

    static QrScannerConfig read(ConfigReader r) {
        String t = r.string("terminator", "any");
        QrScannerCodec.Terminator terminator = QrScannerCodec.Terminator.parse(t);
        if (terminator == null) {
            r.error("terminator", "'terminator' must be any, cr, lf, crlf, tab or one byte like 0x03, not '" + t + "'");
            terminator = QrScannerCodec.Terminator.ANY;
        }
        int max = r.integer("max-length", QrScannerCodec.DEFAULT_MAX_LENGTH, 1, 65536);
        boolean publish = r.bool("publish-scans", false);
        return new QrScannerConfig(terminator, max, publish);
    }
}
