package org.streetgate.drivers.dock;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.streetgate.drivers.modbus.ModbusRequest;
import org.streetgate.drivers.modbus.ModbusResponse;
import org.streetgate.drivers.modbus.ModbusRtuCodec;
import org.streetgate.drivers.transport.ReceiveBuffer;
import org.streetgate.drivers.transport.SerialLink;
import org.streetgate.drivers.transport.SerialSimulator;

/**
 * Dock PLCs in software, as Modbus RTU slaves on the device side of a link: FC 04 reads the
 * {@link DockModel}'s inputs through the register map, FC 05 drives its coils. Other function codes
 * get exception 01, addresses outside the map exception 02, an FC 05 value other than FF00 / 0000
 * exception 03. {@link #silent(boolean)} makes every
 * dock stop answering, as a PLC that lost power or a cut A/B pair.
 */
public final class DockSimulator implements SerialSimulator {
    private record Dock(DockRegisterMap map, DockModel model) {}

    private final Map<Integer, Dock> docks = new ConcurrentHashMap<>();
    private volatile boolean silent;
    private volatile boolean ignoreWrites;
    private final java.util.concurrent.atomic.AtomicInteger corrupt = new java.util.concurrent.atomic.AtomicInteger();

    public DockSimulator() {}

    public DockSimulator(DockRegisterMap map, DockModel model) {
        add(map, model);
    }

    /** Adds a dock answering at {@code map.unit()}, replacing one a restarted driver left there. */
    public DockSimulator add(DockRegisterMap map, DockModel model) {
        docks.put(map.unit(), new Dock(map, model));
        return this;
    }

    public void silent(boolean on) {
        silent = on;
    }

    /** The next {@code echoes} FC 05 echoes go out with a broken CRC, as line noise would do to them. */
    public void corruptNextCoilEchoes(int echoes) {
        corrupt.set(echoes);
    }

    /** Reads are answered, coil writes are not: a PLC whose output card hangs. */
    public void ignoreCoilWrites(boolean on) {
        ignoreWrites = on;
    }

    @Override
    public void serve(SerialLink link) throws IOException {
        ReceiveBuffer rx = new ReceiveBuffer(ModbusRtuCodec.MAX_FRAME * 2);
        while (!Thread.currentThread().isInterrupted()) {
            int n = rx.fill(link, Duration.ofMillis(30));
            if (n == 0 && rx.size() > 0) {
                rx.clear(); // RTU: silence ends a frame; an incomplete one is dropped
                continue;
            }
            while (rx.size() >= 2) {
                int consumed = handle(link, rx.array(), rx.size());
                if (consumed == 0) {
                    break; // the rest of the frame is still on its way
                }
                rx.consume(consumed);
            }
        }
    }

    /** Answers the request at the start of the buffer; returns the bytes it took, 0 for "need more". */
    private int handle(SerialLink link, byte[] b, int len) throws IOException {
        int unit = b[0] & 0xFF;
        int function = b[1] & 0xFF;
        if (function == DockCoilCodec.WRITE_COIL) {
            return switch (DockCoilCodec.decode(b, 0, len)) {
                case DockCoilCodec.NeedMore m -> 0;
                case DockCoilCodec.CoilFrame f -> {
                    writeCoil(link, f, b);
                    yield f.consumed();
                }
                case DockCoilCodec.Corrupt c -> c.bytes();
                case DockCoilCodec.IllegalValue v -> {
                    Dock d = docks.get(v.unit());
                    if (d != null && !silent) {
                        link.write(DockCoilCodec.exception(v.unit(), 3)); // illegal data value, as the spec says
                    }
                    yield v.consumed();
                }
                case DockCoilCodec.Refused r -> r.consumed(); // an exception frame is no request
            };
        }
        if (function == ModbusRequest.READ_INPUT || function == ModbusRequest.READ_HOLDING
                || function == ModbusRequest.WRITE_SINGLE || function == ModbusRequest.WRITE_MULTIPLE) {
            return switch (ModbusRtuCodec.decodeRequest(b, 0, len)) {
                case ModbusRtuCodec.RequestFrame f -> {
                    answer(link, f.request());
                    yield f.consumed();
                }
                case ModbusRtuCodec.Corrupt c -> c.bytes();
                default -> 0;
            };
        }
        // Another function code: if a whole 8-byte frame with a good CRC is there, refuse it.
        if (len < 8) {
            return 0;
        }
        int crc = (b[6] & 0xFF) | (b[7] & 0xFF) << 8;
        if (crc != ModbusRtuCodec.crc16(b, 0, 6)) {
            return 1;
        }
        Dock d = docks.get(unit);
        if (d != null && !silent) {
            link.write(ModbusRtuCodec.withCrc(new byte[] {(byte) unit, (byte) (function | 0x80), 1}));
        }
        return 8;
    }

    private void answer(SerialLink link, ModbusRequest q) throws IOException {
        Dock d = docks.get(q.unit());
        if (d == null || silent) {
            return;
        }
        if (q.function() != ModbusRequest.READ_INPUT) {
            link.write(ModbusRtuCodec.encode(new ModbusResponse.Exception(q.unit(), q.function(), 1)));
            return;
        }
        DockRegisterMap.Inputs in = d.map().inputs();
        if (q.address() < in.first() || q.address() + q.count() > in.first() + in.count()) {
            link.write(ModbusRtuCodec.encode(new ModbusResponse.Exception(q.unit(), q.function(), 2)));
            return;
        }
        Map<Integer, Integer> regs = d.map().encode(d.model().inputs());
        int[] values = new int[q.count()];
        for (int i = 0; i < values.length; i++) {
            values[i] = regs.getOrDefault(q.address() + i, 0);
        }
        link.write(ModbusRtuCodec.encode(new ModbusResponse.Registers(q.unit(), q.function(), values)));
    }

    private void writeCoil(SerialLink link, DockCoilCodec.CoilFrame f, byte[] request) throws IOException {
        Dock d = docks.get(f.unit());
        if (d == null || silent || ignoreWrites) {
            return;
        }
        DockRegisterMap.Coils c = d.map().coils();
        DockModel m = d.model();
        int a = f.address();
        if (a == c.coverOpen()) {
            if (f.on()) {
                m.coverOpen();
            }
        } else if (a == c.coverClose()) {
            if (f.on()) {
                m.coverClose();
            }
        } else if (a == c.coverStop()) {
            if (f.on()) {
                m.coverStop();
            }
        } else if (a == c.charger()) {
            m.charger(f.on());
        } else if (a == c.launchPermit()) {
            m.launchPermit(f.on());
        } else if (a == c.estopReset()) {
            if (f.on()) {
                m.estopReset();
            }
        } else {
            link.write(DockCoilCodec.exception(f.unit(), 2));
            return;
        }
        byte[] echo = java.util.Arrays.copyOf(request, f.consumed()); // FC 05 answers with an echo
        if (corrupt.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
            echo[echo.length - 1] ^= 0x5A;
        }
        link.write(echo);
    }
}
