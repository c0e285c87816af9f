package org.streetgate.drivers.transport;

import java.util.List;
import org.streetgate.drivers.config.ConfigReader;

/** A serial port and its line settings, e.g. {@code serial: {port: /dev/ttyAMA0, baud: 9600}}. */
public record SerialSettings(String port, int baud, int dataBits, Parity parity, int stopBits) {
    public enum Parity { NONE, EVEN, ODD }

    public SerialSettings {
        if (port == null || port.isBlank()) {
            throw new IllegalArgumentException("serial port must be set");
        }
        if (baud <= 0) {
            throw new IllegalArgumentException("baud must be positive");
        }
    }

    public static SerialSettings of(String port, int baud) {
        return new SerialSettings(port, baud, 8, Parity.NONE, 1);
    }

    public SerialSettings withPort(String newPort) {
        return new SerialSettings(newPort, baud, dataBits, parity, stopBits);
    }

    /** Reads a {@code serial:} block; {@code defaultBaud} is the device's usual rate. */
    public static SerialSettings read(ConfigReader r, int defaultBaud) {
        String port = r.string("port");
        int baud = r.integer("baud", defaultBaud, 50, 4_000_000);
        int dataBits = r.integer("data-bits", 8, 5, 8);
        String parity = r.oneOf("parity", "none", List.of("none", "even", "odd"));
        int stopBits = r.integer("stop-bits", 1, 1, 2);
        r.finish();
        return new SerialSettings(port == null ? "?" : port, baud, dataBits,
                Parity.valueOf(parity.toUpperCase(java.util.Locale.ROOT)), stopBits);
    }

    @Override
    public String toString() {
        return port + " " + baud + " " + dataBits + parity.name().charAt(0) + stopBits;
    }
}
