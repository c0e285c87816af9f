package org.streetgate.drivers.modbus;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import org.streetgate.drivers.transport.ReceiveBuffer;
import org.streetgate.drivers.transport.SerialLink;
import org.streetgate.drivers.transport.SerialSimulator;

/**
 * Modbus RTU slaves in software: any number of unit ids answering on one link, as devices share a
 * real RS-485 pair. Each {@link Unit} holds a holding and an input register map, may move its
 * values between reads ({@link Unit#animate}), and can be told to misbehave ({@link Fault}) for
 * a number of requests or for good. Units not on the link stay silent, as on a real bus.
 */
public final class ModbusSlaveSimulator implements SerialSimulator {
    /** Ways a unit can misbehave. */
    public sealed interface Fault {
        /** Says nothing, as a unit with a wrong id, a dead unit or a broken wire. */
        record NoAnswer() implements Fault {}

        /** Answers with the CRC's last byte flipped, as line noise would. */
        record BadCrc() implements Fault {}

        /** Refuses with this exception code. */
        record ExceptionCode(int code) implements Fault {}

        /** Sends {@code bytes} bytes of noise before a correct answer. */
        record Garbage(int bytes) implements Fault {}

        /** Answers, but its values no longer move and writes do not take: a frozen sensor. */
        record Stuck() implements Fault {}
    }

    /** Called after a master wrote registers, e.g. to move a simulated actuator. */
    @FunctionalInterface
    public interface WriteListener {
        void written(Unit unit, int address, int[] values);
    }

    /** One simulated slave. Safe to change from a test while the simulator serves. */
    public static final class Unit {
        private final int id;
        private final Map<Integer, Integer> holding = new ConcurrentHashMap<>();
        private final Map<Integer, Integer> input = new ConcurrentHashMap<>();
        private volatile boolean strict;
        private volatile Consumer<Unit> animation = u -> { };
        private volatile WriteListener onWrite = (u, a, v) -> { };
        private Fault fault;
        private int faultLeft;
        private long requests;

        Unit(int id) {
            this.id = id;
        }

        public int id() {
            return id;
        }

        public Unit holding(int address, int... values) {
            for (int i = 0; i < values.length; i++) {
                holding.put(address + i, values[i] & 0xFFFF);
            }
            return this;
        }

        public Unit input(int address, int... values) {
            for (int i = 0; i < values.length; i++) {
                input.put(address + i, values[i] & 0xFFFF);
            }
            return this;
        }

        public Unit holding(int address, RegisterType type, RegisterType.WordOrder order, double value) {
            return holding(address, type.encode(value, order));
        }

        public Unit input(int address, RegisterType type, RegisterType.WordOrder order, double value) {
            return input(address, type.encode(value, order));
        }

        public int holding(int address) {
            return holding.getOrDefault(address, 0);
        }

        public int input(int address) {
            return input.getOrDefault(address, 0);
        }

        public double input(int address, RegisterType type, RegisterType.WordOrder order) {
            return type.decode(new int[] {input(address), input(address + 1)}, 0, order);
        }

        public double holding(int address, RegisterType type, RegisterType.WordOrder order) {
            return type.decode(new int[] {holding(address), holding(address + 1)}, 0, order);
        }

        /** When strict, registers never set answer exception 02 (illegal data address) instead of 0. */
        public Unit strict(boolean on) {
            strict = on;
            return this;
        }

        /** {@code step} runs before every read this unit answers, to move its values. */
        public Unit animate(Consumer<Unit> step) {
            animation = step;
            return this;
        }

        public Unit onWrite(WriteListener listener) {
            onWrite = listener;
            return this;
        }

        /** Misbehaves for good, until {@link #heal()}. */
        public synchronized Unit fail(Fault f) {
            return fail(f, Integer.MAX_VALUE);
        }

        /** Misbehaves for the next {@code requests} requests addressed to it. */
        public synchronized Unit fail(Fault f, int requests) {
            fault = f;
            faultLeft = requests;
            return this;
        }

        public synchronized Unit heal() {
            fault = null;
            faultLeft = 0;
            return this;
        }

        /** Requests addressed to this unit so far, answered or not. */
        public synchronized long requests() {
            return requests;
        }

        private synchronized Fault nextFault() {
            requests++;
            if (fault == null || faultLeft <= 0) {
                return null;
            }
            Fault f = fault;
            if (--faultLeft == 0) {
                fault = null;
            }
            return f;
        }
    }

    private static final byte[] NOISE = {(byte) 0xFF, 0x00, 0x13, 0x37, (byte) 0xA5, 0x5A, 0x01, (byte) 0x83};

    private final Map<Integer, Unit> units = new ConcurrentHashMap<>();

    /** The unit with this id, created (empty) on first use. */
    public Unit unit(int id) {
        if (id < 1 || id > 255) {
            throw new IllegalArgumentException("unit id must be 1..255, not " + id);
        }
        return units.computeIfAbsent(id, Unit::new);
    }

    public boolean hasUnit(int id) {
        return units.containsKey(id);
    }

    @Override
    public void serve(SerialLink link) throws IOException {
        ReceiveBuffer rx = new ReceiveBuffer(ModbusRtuCodec.MAX_FRAME * 2);
        while (!Thread.currentThread().isInterrupted()) {
            int n = rx.fill(link, Duration.ofMillis(30));
            if (n == 0 && rx.size() > 0) {
                // Silence with an incomplete frame: RTU says the frame is over; drop it.
                rx.clear();
                continue;
            }
            frames:
            while (rx.size() > 0) {
                switch (ModbusRtuCodec.decodeRequest(rx.array(), 0, rx.size())) {
                    case ModbusRtuCodec.RequestFrame f -> {
                        rx.consume(f.consumed());
                        answer(link, f.request());
                    }
                    case ModbusRtuCodec.Corrupt c -> rx.consume(c.bytes()); // slaves ignore bad frames
                    default -> {
                        if (rx.size() > ModbusRtuCodec.MAX_FRAME) {
                            rx.clear();
                        }
                        break frames; // wait for the rest of the frame
                    }
                }
            }
        }
    }

    private void answer(SerialLink link, ModbusRequest q) throws IOException {
        Unit u = units.get(q.unit());
        if (u == null) {
            return; // someone else's unit id, or a broadcast to nobody here
        }
        Fault fault = u.nextFault();
        if (fault instanceof Fault.NoAnswer) {
            return;
        }
        if (fault instanceof Fault.ExceptionCode e) {
            link.write(ModbusRtuCodec.encode(new ModbusResponse.Exception(q.unit(), q.function(), e.code())));
            return;
        }
        boolean stuck = fault instanceof Fault.Stuck;
        byte[] reply = ModbusRtuCodec.encode(respond(u, q, stuck));
        if (fault instanceof Fault.BadCrc) {
            reply[reply.length - 1] ^= 0x5A;
        }
        if (fault instanceof Fault.Garbage g) {
            byte[] noise = new byte[g.bytes()];
            for (int i = 0; i < noise.length; i++) {
                noise[i] = NOISE[i % NOISE.length];
            }
            link.write(noise);
        }
        link.write(reply);
    }

    private static ModbusResponse respond(Unit u, ModbusRequest q, boolean stuck) {
        Map<Integer, Integer> regs = q.function() == ModbusRequest.READ_INPUT ? u.input : u.holding;
        if (u.strict) {
            for (int a = q.address(); a < q.address() + q.count(); a++) {
                if (!regs.containsKey(a)) {
                    return new ModbusResponse.Exception(q.unit(), q.function(), 2);
                }
            }
        }
        switch (q.function()) {
            case ModbusRequest.READ_HOLDING, ModbusRequest.READ_INPUT -> {
                if (!stuck) {
                    u.animation.accept(u);
                }
                int[] values = new int[q.count()];
                for (int i = 0; i < values.length; i++) {
                    values[i] = regs.getOrDefault(q.address() + i, 0);
                }
                return new ModbusResponse.Registers(q.unit(), q.function(), values);
            }
            default -> {
                int[] values = q.values();
                if (!stuck) {
                    u.holding(q.address(), values);
                    u.onWrite.written(u, q.address(), values);
                }
                return new ModbusResponse.Written(q.unit(), q.function(), q.address(),
                        q.function() == ModbusRequest.WRITE_SINGLE ? values[0] : values.length);
            }
        }
    }
}
