package org.streetgate.drivers.modbus;

import java.io.IOException;
import java.time.Duration;
import org.streetgate.drivers.spi.DeviceStatus;
import org.streetgate.drivers.transport.ReceiveBuffer;
import org.streetgate.drivers.transport.Rs485Bus;
import org.streetgate.drivers.transport.SerialLink;

/**
 * A Modbus RTU master for one device on a shared {@link Rs485Bus}. Each transaction holds the bus
 * from request to answer; no answer, a corrupt answer and "device busy" are retried; an exception
 * response is final. Results and failures are counted in the device's {@link DeviceStatus}:
 * {@code timeouts}, {@code crc_errors}, {@code garbage_bytes}, {@code retries}, {@code exceptions}.
 *
 * <p>Failures the device causes throw {@link ModbusException}; a broken link throws
 * {@link IOException} (the bus closes the port and reopens it on the next transaction).
 */
public final class ModbusMaster {
    /**
     * @param responseTimeout how long to wait for a whole answer
     * @param retries         further tries after the first, for timeouts and corrupt answers
     * @param busWait         how long to wait for other devices to release the bus
     */
    public record Timing(Duration responseTimeout, int retries, Duration busWait) {
        public static final Timing DEFAULT = new Timing(Duration.ofMillis(500), 2, Duration.ofSeconds(10));

        public Timing {
            if (responseTimeout.isNegative() || responseTimeout.isZero()) {
                throw new IllegalArgumentException("response timeout must be positive");
            }
            if (retries < 0 || retries > 10) {
                throw new IllegalArgumentException("retries must be 0..10, not " + retries);
            }
        }
    }

    private final Rs485Bus bus;
    private final Timing timing;
    private final DeviceStatus status;
    private final Duration frameGap;

    /** {@code status} may be null when nobody counts (tools, tests). */
    public ModbusMaster(Rs485Bus bus, Timing timing, DeviceStatus status) {
        this.bus = bus;
        this.timing = timing;
        this.status = status == null ? new DeviceStatus() : status;
        // 3.5 character times of silence end a frame; the spec fixes 1.75 ms above 19200 baud.
        long gapMicros = bus.settings().baud() > 19200 ? 1750 : 3_500_000L * 11 / bus.settings().baud();
        this.frameGap = Duration.ofNanos(gapMicros * 1000);
    }

    public String port() {
        return bus.port();
    }

    public int[] readHolding(int unit, int address, int count) throws IOException, InterruptedException {
        return ((ModbusResponse.Registers) transact(ModbusRequest.readHolding(unit, address, count))).values();
    }

    public int[] readInput(int unit, int address, int count) throws IOException, InterruptedException {
        return ((ModbusResponse.Registers) transact(ModbusRequest.readInput(unit, address, count))).values();
    }

    public void writeSingle(int unit, int address, int value) throws IOException, InterruptedException {
        transact(ModbusRequest.writeSingle(unit, address, value));
    }

    public void writeMultiple(int unit, int address, int... values) throws IOException, InterruptedException {
        transact(ModbusRequest.writeMultiple(unit, address, values));
    }

    /**
     * Sends {@code request} and returns the slave's successful answer (registers for reads, the echo
     * for writes). A broadcast (unit 0) write returns null: nobody answers a broadcast.
     */
    public ModbusResponse transact(ModbusRequest request) throws IOException, InterruptedException {
        if (request.unit() == 0 && (request.function() == ModbusRequest.READ_HOLDING
                || request.function() == ModbusRequest.READ_INPUT)) {
            throw new IllegalArgumentException("unit 0 is broadcast: nobody answers a read sent to it");
        }
        try {
            return bus.exchange(timing.busWait(), link -> run(link, request));
        } catch (org.streetgate.drivers.transport.BusLockTimeoutException e) {
            status.count("bus_busy");
            throw ModbusException.busy(bus.port(), request, timing.busWait().toMillis());
        }
    }

    private ModbusResponse run(SerialLink link, ModbusRequest request) throws IOException, InterruptedException {
        byte[] frame = ModbusRtuCodec.encode(request);
        int tries = timing.retries() + 1;
        String lastCorrupt = null;
        for (int attempt = 0; attempt < tries; attempt++) {
            if (attempt > 0) {
                status.count("retries");
            }
            link.discardInput();
            link.write(frame);
            if (request.unit() == 0) {
                Thread.sleep(Duration.ofMillis(100)); // broadcast: give every slave time to act
                return null;
            }
            Outcome outcome = awaitAnswer(link, request);
            Thread.sleep(frameGap);
            switch (outcome) {
                case Answer a -> {
                    if (a.response() instanceof ModbusResponse.Exception e) {
                        status.count("exceptions");
                        if (e.code() == 6 && attempt + 1 < tries) {
                            continue; // server busy: worth asking again
                        }
                        throw ModbusException.refused(bus.port(), request, e.code());
                    }
                    return a.response();
                }
                case NoAnswer n -> status.count("timeouts");
                case Garbled g -> {
                    status.count("crc_errors");
                    lastCorrupt = g.reason();
                    drain(link);
                }
            }
        }
        if (lastCorrupt != null) {
            throw ModbusException.corrupt(bus.port(), request, tries, lastCorrupt);
        }
        throw ModbusException.timeout(bus.port(), request, tries, timing.responseTimeout().toMillis());
    }

    private sealed interface Outcome {}

    private record Answer(ModbusResponse response) implements Outcome {}

    private record NoAnswer() implements Outcome {}

    private record Garbled(String reason) implements Outcome {}

    /**
     * Reads until a valid answer from the addressed unit appears anywhere in what arrived, so noise
     * before the answer does not lose it, or until the response timeout.
     */
    private Outcome awaitAnswer(SerialLink link, ModbusRequest request) throws IOException {
        ReceiveBuffer rx = new ReceiveBuffer(ModbusRtuCodec.MAX_FRAME);
        long deadline = System.nanoTime() + timing.responseTimeout().toNanos();
        String lastCorrupt = null;
        while (true) {
            byte[] b = rx.array();
            for (int i = 0; i < rx.size(); i++) {
                if ((b[i] & 0xFF) != request.unit()) {
                    continue;
                }
                switch (ModbusRtuCodec.decodeResponse(b, i, rx.size() - i)) {
                    case ModbusRtuCodec.ResponseFrame f -> {
                        String mismatch = mismatch(request, f.response());
                        if (mismatch == null) {
                            if (i > 0) {
                                status.add("garbage_bytes", i);
                            }
                            return new Answer(f.response());
                        }
                        lastCorrupt = mismatch;
                    }
                    case ModbusRtuCodec.Corrupt c -> {
                        if (i == 0 || lastCorrupt == null) {
                            lastCorrupt = c.reason();
                        }
                    }
                    default -> { } // need more: a later offset may still hold a whole frame
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                if (rx.size() == 0) {
                    return new NoAnswer();
                }
                return new Garbled(lastCorrupt != null ? lastCorrupt
                        : rx.size() + " bytes that do not make a frame");
            }
            rx.fill(link, Duration.ofNanos(left));
        }
    }

    private static String mismatch(ModbusRequest q, ModbusResponse r) {
        if (r.function() != q.function()) {
            return "answer for function " + r.function() + " to function " + q.function();
        }
        return switch (r) {
            case ModbusResponse.Registers regs -> regs.values().length == q.count() ? null
                    : regs.values().length + " registers instead of " + q.count();
            case ModbusResponse.Written w -> w.address() == q.address() ? null
                    : String.format("write echo for 0x%04X instead of 0x%04X", w.address(), q.address());
            case ModbusResponse.Exception e -> null;
        };
    }

    /** After a garbled answer, lets the line fall silent so late bytes do not poison the next try. */
    private void drain(SerialLink link) throws IOException {
        byte[] sink = new byte[ModbusRtuCodec.MAX_FRAME];
        long deadline = System.nanoTime() + timing.responseTimeout().toNanos();
        Duration quiet = frameGap.plusMillis(20);
        while (System.nanoTime() < deadline && link.read(sink, 0, sink.length, quiet) > 0) {
            // discard
        }
    }
}
