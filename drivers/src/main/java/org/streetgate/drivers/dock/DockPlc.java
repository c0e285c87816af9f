package org.streetgate.drivers.dock;

import java.io.IOException;
import java.time.Duration;
import org.streetgate.drivers.modbus.ModbusException;
import org.streetgate.drivers.modbus.ModbusMaster;
import org.streetgate.drivers.modbus.ModbusRtuCodec;
import org.streetgate.drivers.spi.DeviceStatus;
import org.streetgate.drivers.transport.BusLockTimeoutException;
import org.streetgate.drivers.transport.ReceiveBuffer;
import org.streetgate.drivers.transport.Rs485Bus;
import org.streetgate.drivers.transport.SerialLink;

/**
 * The dock PLC on its RS-485 bus: one FC 04 read for every input, and FC 05 coil writes. Reads go
 * through the shared {@link ModbusMaster}; coil writes run the same way (bus held from request to
 * echo, timeouts and corrupt answers retried) with {@link DockCoilCodec}. Failures the PLC causes
 * throw {@link PlcException}; a broken link throws {@link IOException}.
 */
final class DockPlc {
    /** The PLC did not do what was asked: no answer, only corrupt answers, or a refusal. */
    static final class PlcException extends RuntimeException {
        private final boolean refused;

        PlcException(String message, boolean refused) {
            super(message);
            this.refused = refused;
        }

        /** True when the PLC answered with an exception code: it is there, but said no. */
        boolean refused() {
            return refused;
        }
    }

    private final Rs485Bus bus;
    private final DockRegisterMap map;
    private final ModbusMaster.Timing timing;
    private final ModbusMaster master;
    private final DeviceStatus status;
    private final Duration frameGap;

    DockPlc(Rs485Bus bus, DockRegisterMap map, ModbusMaster.Timing timing, DeviceStatus status) {
        this.bus = bus;
        this.map = map;
        this.timing = timing;
        this.status = status;
        this.master = new ModbusMaster(bus, timing, status);
        // 3.5 character times of silence end an RTU frame; the spec fixes 1.75 ms above 19200 baud.
        int baud = bus.settings().baud();
        this.frameGap = Duration.ofNanos(baud > 19200 ? 1_750_000 : 3_500_000_000L * 11 / baud);
    }

    DockInputs read() throws IOException, InterruptedException {
        DockRegisterMap.Inputs in = map.inputs();
        try {
            int[] block = master.readInput(map.unit(), in.first(), in.count());
            int invalid = map.invalidValues(block).size();
            if (invalid > 0) {
                status.add(DeviceStatus.INVALID_VALUES, invalid);
            }
            return map.decode(block);
        } catch (ModbusException e) {
            throw new PlcException(e.getMessage(), e.kind() == ModbusException.Kind.EXCEPTION_RESPONSE);
        }
    }

    void write(DockSupervisor.CoilWrite w) throws IOException, InterruptedException {
        byte[] frame = DockCoilCodec.writeCoil(map.unit(), w.address(), w.on());
        String what = String.format("write coil %s (0x%04X) %s", w.name(), w.address(), w.on() ? "on" : "off");
        try {
            bus.exchange(timing.busWait(), link -> {
                writeCoil(link, w, frame, what);
                return null;
            });
        } catch (BusLockTimeoutException e) {
            status.count("bus_busy");
            throw new PlcException(e.getMessage(), false);
        }
    }

    private void writeCoil(SerialLink link, DockSupervisor.CoilWrite w, byte[] frame, String what)
            throws IOException, InterruptedException {
        int tries = timing.retries() + 1;
        String last = "no answer";
        for (int attempt = 0; attempt < tries; attempt++) {
            if (attempt > 0) {
                status.count("retries");
            }
            link.discardInput();
            link.write(frame);
            DockCoilCodec.Decoded answer = awaitEcho(link);
            Thread.sleep(frameGap);
            switch (answer) {
                case DockCoilCodec.CoilFrame echo -> {
                    if (echo.unit() == map.unit() && echo.address() == w.address() && echo.on() == w.on()) {
                        return;
                    }
                    status.count("crc_errors");
                    last = "echo does not match the request";
                }
                case DockCoilCodec.Refused r -> {
                    status.count("exceptions");
                    throw new PlcException(String.format("dock PLC unit %d on %s refused %s: exception %02d %s",
                            map.unit(), bus.port(), what, r.code(), ModbusRtuCodec.exceptionName(r.code())), true);
                }
                case DockCoilCodec.Corrupt c -> {
                    status.count("crc_errors");
                    last = c.reason();
                }
                case DockCoilCodec.IllegalValue v -> {
                    // awaitEcho never returns one: we only send FF00 / 0000, so such an "echo" is not ours.
                    status.count("crc_errors");
                    last = String.format("echo with coil value %04X", v.value());
                }
                case DockCoilCodec.NeedMore n -> {
                    status.count("timeouts");
                    last = "no answer";
                }
            }
        }
        throw new PlcException(String.format("dock PLC unit %d on %s did not confirm %s (%d tries, %d ms each; last: %s)",
                map.unit(), bus.port(), what, tries, timing.responseTimeout().toMillis(), last), false);
    }

    /** Reads until a whole answer from our unit is in, skipping noise before it, or the timeout passes. */
    private DockCoilCodec.Decoded awaitEcho(SerialLink link) throws IOException {
        ReceiveBuffer rx = new ReceiveBuffer(64);
        long deadline = System.nanoTime() + timing.responseTimeout().toNanos();
        DockCoilCodec.Decoded last = new DockCoilCodec.NeedMore();
        while (true) {
            byte[] b = rx.array();
            for (int i = 0; i < rx.size(); i++) {
                if ((b[i] & 0xFF) != map.unit()) {
                    continue;
                }
                DockCoilCodec.Decoded d = DockCoilCodec.decode(b, i, rx.size() - i);
                if (d instanceof DockCoilCodec.CoilFrame || d instanceof DockCoilCodec.Refused) {
                    return d;
                }
                if (d instanceof DockCoilCodec.Corrupt) {
                    last = d;
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return rx.size() == 0 ? new DockCoilCodec.NeedMore() : last instanceof DockCoilCodec.Corrupt
                        ? last : new DockCoilCodec.Corrupt(rx.size(), rx.size() + " bytes that do not make an answer");
            }
            rx.fill(link, Duration.ofNanos(left));
        }
    }
}
