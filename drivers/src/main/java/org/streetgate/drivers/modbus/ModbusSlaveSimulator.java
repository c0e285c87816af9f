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
 * a number of requests or for good. Units not on the link stay silent, as on a real bus. Like a
 * libmodbus slave it serves FC 01/02/03/04/05/06/15/16, answers exception 01 to any other function
 * and 03 to a quantity or byte count outside the spec's limits, and executes a broadcast (unit 0)
 * write on every unit without answering.
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
        private final Map<Integer, Boolean> coils = new ConcurrentHashMap<>();
        private final Map<Integer, Boolean> discrete = new ConcurrentHashMap<>();
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

        public Unit coil(int address, boolean on) {
            coils.put(address, on);
            return this;
        }

        public boolean coil(int address) {
            return coils.getOrDefault(address, false);
        }

        public Unit discrete(int address, boolean on) {
            discrete.put(address, on);
            return this;
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

        /** The fault in force, without spending one of its requests (a broadcast is not addressed to it). */
        private synchronized Fault currentFault() {
            return faultLeft > 0 ? fault : null;
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

    /** Function codes beyond the shared codec's, served here as a real slave would. */
    public static final int READ_COILS = 1;
    public static final int READ_DISCRETE = 2;
    public static final int WRITE_COIL = 5;
    public static final int WRITE_COILS = 15;
    /** Quantity limits from the Modbus application protocol spec (V1.1b3, section 6). */
    static final int MAX_READ_BITS = 2000;
    static final int MAX_READ_REGISTERS = 125;
    static final int MAX_WRITE_BITS = 1968;
    static final int MAX_WRITE_REGISTERS = 123;

    private final java.util.concurrent.atomic.AtomicLong broadcasts = new java.util.concurrent.atomic.AtomicLong();

    private static final byte[] NOISE = {(byte) 0xFF, 0x00, 0x13, 0x37, (byte) 0xA5, 0x5A, 0x01, (byte) 0x83};

    private final Map<Integer, Unit> units = new ConcurrentHashMap<>();

    /** The unit with this id, created (empty) on first use. */
    public Unit unit(int id) {
        if (id < 1 || id > 255) {
            throw new IllegalArgumentException("unit id must be 1..255, not " + id);
        }
        return units.computeIfAbsent(id, Unit::new);
    }

    /** Broadcast (unit 0) writes executed so far; none was answered. */
    public long broadcasts() {
        return broadcasts.get();
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
            while (rx.size() > 0) {
                int total = requestLength(rx.array(), rx.size());
                if (total < 0 || total > rx.size()) {
                    if (rx.size() > ModbusRtuCodec.MAX_FRAME) {
                        rx.clear();
                    }
                    break; // wait for the rest of the frame
                }
                byte[] frame = java.util.Arrays.copyOf(rx.array(), total);
                int crc = (frame[total - 2] & 0xFF) | (frame[total - 1] & 0xFF) << 8;
                if (crc != ModbusRtuCodec.crc16(frame, 0, total - 2)) {
                    // Slaves ignore bad frames. An unknown function's length is a guess: resync byte by byte.
                    rx.consume(known(frame[1] & 0xFF) ? total : 1);
                    continue;
                }
                rx.consume(total);
                answer(link, frame);
            }
        }
    }

    private static boolean known(int function) {
        return switch (function) {
            case READ_COILS, READ_DISCRETE, ModbusRequest.READ_HOLDING, ModbusRequest.READ_INPUT, WRITE_COIL,
                 ModbusRequest.WRITE_SINGLE, WRITE_COILS, ModbusRequest.WRITE_MULTIPLE -> true;
            default -> false;
        };
    }

    /**
     * The length of the request at the start of {@code b}, as libmodbus's slave computes it from the
     * function code, or -1 while too few bytes are in to tell. An unknown function is taken as unit,
     * function and CRC (no data), which is how libmodbus reads it before answering exception 01.
     */
    static int requestLength(byte[] b, int len) {
        if (len < 2) {
            return -1;
        }
        int function = b[1] & 0xFF;
        if (function == WRITE_COILS || function == ModbusRequest.WRITE_MULTIPLE) {
            return len < 7 ? -1 : 9 + (b[6] & 0xFF);
        }
        return known(function) ? 8 : 4;
    }

    private void answer(SerialLink link, byte[] frame) throws IOException {
        int unitId = frame[0] & 0xFF;
        int function = frame[1] & 0xFF;
        if (unitId == 0) {
            // Broadcast: every unit executes a write, none answers; a broadcast read means nothing.
            if (function == WRITE_COIL || function == ModbusRequest.WRITE_SINGLE || function == WRITE_COILS
                    || function == ModbusRequest.WRITE_MULTIPLE) {
                for (Unit u : units.values()) {
                    if (!(u.currentFault() instanceof Fault.NoAnswer)) {
                        respond(u, frame, u.currentFault() instanceof Fault.Stuck);
                    }
                }
                broadcasts.incrementAndGet();
            }
            return;
        }
        Unit u = units.get(unitId);
        if (u == null) {
            return; // someone else's unit id
        }
        Fault fault = u.nextFault();
        if (fault instanceof Fault.NoAnswer) {
            return;
        }
        if (fault instanceof Fault.ExceptionCode e) {
            link.write(exception(unitId, function, e.code()));
            return;
        }
        byte[] reply = respond(u, frame, fault instanceof Fault.Stuck);
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

    private static byte[] exception(int unit, int function, int code) {
        return ModbusRtuCodec.withCrc(new byte[] {(byte) unit, (byte) (function | 0x80), (byte) code});
    }

    private static int u16(byte[] b, int i) {
        return (b[i] & 0xFF) << 8 | (b[i + 1] & 0xFF);
    }

    /**
     * Executes one well-framed request on {@code u} and returns the answer with its CRC. Checks as
     * libmodbus's slave does: exception 01 for a function it does not serve, 03 for a quantity or byte
     * count outside the spec's limits (or a coil value other than FF00 / 0000), 02 for addresses past
     * the end of the register space (or not set, when strict).
     */
    private static byte[] respond(Unit u, byte[] f, boolean stuck) {
        int unit = f[0] & 0xFF;
        int function = f[1] & 0xFF;
        if (!known(function)) {
            return exception(unit, function, 1);
        }
        int address = u16(f, 2);
        int quantity = u16(f, 4);
        switch (function) {
            case READ_COILS, READ_DISCRETE -> {
                if (quantity < 1 || quantity > MAX_READ_BITS) {
                    return exception(unit, function, 3);
                }
                if (address + quantity > 0x10000) {
                    return exception(unit, function, 2);
                }
                Map<Integer, Boolean> bits = function == READ_COILS ? u.coils : u.discrete;
                byte[] pdu = new byte[3 + (quantity + 7) / 8];
                pdu[0] = (byte) unit;
                pdu[1] = (byte) function;
                pdu[2] = (byte) ((quantity + 7) / 8);
                for (int i = 0; i < quantity; i++) {
                    if (bits.getOrDefault(address + i, false)) {
                        pdu[3 + i / 8] |= (byte) (1 << (i % 8));
                    }
                }
                return ModbusRtuCodec.withCrc(pdu);
            }
            case ModbusRequest.READ_HOLDING, ModbusRequest.READ_INPUT -> {
                if (quantity < 1 || quantity > MAX_READ_REGISTERS) {
                    return exception(unit, function, 3);
                }
                if (address + quantity > 0x10000) {
                    return exception(unit, function, 2);
                }
                Map<Integer, Integer> regs = function == ModbusRequest.READ_INPUT ? u.input : u.holding;
                if (u.strict) {
                    for (int a = address; a < address + quantity; a++) {
                        if (!regs.containsKey(a)) {
                            return exception(unit, function, 2);
                        }
                    }
                }
                if (!stuck) {
                    u.animation.accept(u);
                }
                int[] values = new int[quantity];
                for (int i = 0; i < values.length; i++) {
                    values[i] = regs.getOrDefault(address + i, 0);
                }
                return ModbusRtuCodec.encode(new ModbusResponse.Registers(unit, function, values));
            }
            case WRITE_COIL -> {
                if (quantity != 0xFF00 && quantity != 0x0000) {
                    return exception(unit, function, 3);
                }
                if (!stuck) {
                    u.coils.put(address, quantity == 0xFF00);
                }
                return java.util.Arrays.copyOf(f, 8); // the answer echoes the request
            }
            case ModbusRequest.WRITE_SINGLE -> {
                if (u.strict && !u.holding.containsKey(address)) {
                    return exception(unit, function, 2);
                }
                if (!stuck) {
                    u.holding(address, quantity);
                    u.onWrite.written(u, address, new int[] {quantity});
                }
                return java.util.Arrays.copyOf(f, 8);
            }
            case WRITE_COILS -> {
                int byteCount = f[6] & 0xFF;
                if (quantity < 1 || quantity > MAX_WRITE_BITS || byteCount != (quantity + 7) / 8) {
                    return exception(unit, function, 3);
                }
                if (address + quantity > 0x10000) {
                    return exception(unit, function, 2);
                }
                if (!stuck) {
                    for (int i = 0; i < quantity; i++) {
                        u.coils.put(address + i, (f[7 + i / 8] >> (i % 8) & 1) == 1);
                    }
                }
                return ModbusRtuCodec.withCrc(java.util.Arrays.copyOf(f, 6));
            }
            default -> { // WRITE_MULTIPLE, the last function known() admits
                int byteCount = f[6] & 0xFF;
                if (quantity < 1 || quantity > MAX_WRITE_REGISTERS || byteCount != 2 * quantity) {
                    return exception(unit, function, 3);
                }
                if (address + quantity > 0x10000) {
                    return exception(unit, function, 2);
                }
                if (u.strict) {
                    for (int a = address; a < address + quantity; a++) {
                        if (!u.holding.containsKey(a)) {
                            return exception(unit, function, 2);
                        }
                    }
                }
                int[] values = new int[quantity];
                for (int i = 0; i < quantity; i++) {
                    values[i] = u16(f, 7 + 2 * i);
                }
                if (!stuck) {
                    u.holding(address, values);
                    u.onWrite.written(u, address, values);
                }
                return ModbusRtuCodec.withCrc(java.util.Arrays.copyOf(f, 6));
            }
        }
    }
}
