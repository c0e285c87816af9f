package org.streetgate.drivers.qrscanner;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.streetgate.drivers.transport.SerialLink;
import org.streetgate.drivers.transport.SerialSimulator;

/**
 * A serial barcode scanner in software: {@link #scan} is someone holding a code under it. Whatever
 * the host sends (configuration commands on some models) is read and ignored.
 */
public final class QrScannerSimulator implements SerialSimulator {
    private final QrScannerCodec.Terminator terminator;
    private final LinkedBlockingQueue<byte[]> outgoing = new LinkedBlockingQueue<>();

    public QrScannerSimulator(QrScannerCodec.Terminator terminator) {
        this.terminator = terminator;
    }

    /** Sends {@code code} and the terminator, as the scanner does after a good read. */
    public void scan(String code) {
        outgoing.add(QrScannerCodec.encode(code, terminator));
    }

    /** Sends bytes as they are: noise, half a code, a code with another terminator. */
    public void sendRaw(byte[] bytes) {
        outgoing.add(bytes.clone());
    }

    @Override
    public void serve(SerialLink link) throws IOException, InterruptedException {
        byte[] in = new byte[256];
        while (!Thread.currentThread().isInterrupted()) {
            byte[] next = outgoing.poll(20, TimeUnit.MILLISECONDS);
            if (next != null) {
                link.write(next);
            }
            link.read(in, 0, in.length, Duration.ofMillis(1));
        }
    }
}
