package org.streetgate.drivers.transport;

import com.fazecast.jSerialComm.SerialPort;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** A real serial port (UART, USB adapter, or a pty) through jSerialComm. */
public final class JSerialCommLink implements SerialLink {
    private final SerialPort port;
    private final String name;
    private int currentTimeoutMs = -1;

    private JSerialCommLink(SerialPort port, String name) {
        this.port = port;
        this.name = name;
    }

    /**
     * Opens the port with the given line settings. Fails with a message naming the port and the
     * usual fix when it is missing or not permitted.
     */
    public static JSerialCommLink open(SerialSettings s) throws IOException {
        Path path = Path.of(s.port());
        if (!Files.exists(path)) {
            throw new IOException("serial port " + s.port() + " does not exist (cable unplugged or wrong path?)");
        }
        if (!Files.isReadable(path) || !Files.isWritable(path)) {
            throw new IOException("permission denied on serial port " + s.port()
                    + ": add the gateway's user to the dialout group (sudo usermod -aG dialout $USER) and log in again");
        }
        SerialPort port = SerialPort.getCommPort(s.port());
        int parity = switch (s.parity()) {
            case NONE -> SerialPort.NO_PARITY;
            case EVEN -> SerialPort.EVEN_PARITY;
            case ODD -> SerialPort.ODD_PARITY;
        };
        port.setComPortParameters(s.baud(), s.dataBits(),
                s.stopBits() == 2 ? SerialPort.TWO_STOP_BITS : SerialPort.ONE_STOP_BIT, parity);
        if (!port.openPort(0)) {
            int errno = port.getLastErrorCode();
            String why = errno == 13 ? "permission denied: add the gateway's user to the dialout group"
                    : errno == 16 ? "port busy: another program holds it"
                    : "error " + errno + " at " + port.getLastErrorLocation();
            throw new IOException("cannot open serial port " + s.port() + ": " + why);
        }
        return new JSerialCommLink(port, s.port());
    }

    @Override
    public int read(byte[] buf, int off, int len, Duration timeout) throws IOException {
        int ms = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        if (ms != currentTimeoutMs) {
            port.setComPortTimeouts(SerialPort.TIMEOUT_READ_SEMI_BLOCKING, ms, 0);
            currentTimeoutMs = ms;
        }
        int n = port.readBytes(buf, len, off);
        if (n < 0) {
            throw new IOException("serial port " + name + " read failed (cable pulled?)");
        }
        if (n == 0 && !Files.exists(Path.of(name))) {
            throw new IOException("serial port " + name + " disappeared");
        }
        return n;
    }

    @Override
    public void write(byte[] data) throws IOException {
        int n = port.writeBytes(data, data.length);
        if (n != data.length) {
            throw new IOException("serial port " + name + " write failed (" + n + " of " + data.length + " bytes)");
        }
    }

    @Override
    public void discardInput() throws IOException {
        // Not flushIOBuffers(): that is tcflush(TCIOFLUSH), which also drops a request written a
        // moment ago and not yet on the wire. Read away what has arrived instead.
        byte[] junk = new byte[256];
        int available = port.bytesAvailable();
        while (available > 0) {
            int n = port.readBytes(junk, Math.min(junk.length, available));
            if (n <= 0) {
                break;
            }
            available = port.bytesAvailable();
        }
        if (available < 0) {
            throw new IOException("serial port " + name + " read failed (cable pulled?)");
        }
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void close() {
        port.closePort();
    }
}
