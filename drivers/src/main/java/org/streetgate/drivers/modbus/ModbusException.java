package org.streetgate.drivers.modbus;

/**
 * A Modbus transaction that did not succeed although the link works: the slave refused it
 * (an exception response), did not answer, or answered with corrupt frames on every try. The
 * message names the port, the unit and the registers. A broken link is an {@link java.io.IOException}.
 */
public final class ModbusException extends RuntimeException {
    public enum Kind { EXCEPTION_RESPONSE, TIMEOUT, CORRUPT_RESPONSE, BUS_BUSY }

    private final Kind kind;
    private final int unit;
    private final int exceptionCode;

    private ModbusException(Kind kind, int unit, int exceptionCode, String message) {
        super(message);
        this.kind = kind;
        this.unit = unit;
        this.exceptionCode = exceptionCode;
    }

    public Kind kind() {
        return kind;
    }

    public int unit() {
        return unit;
    }

    /** The slave's exception code, or 0 when {@link #kind()} is not {@link Kind#EXCEPTION_RESPONSE}. */
    public int exceptionCode() {
        return exceptionCode;
    }

    static ModbusException refused(String port, ModbusRequest r, int code) {
        return new ModbusException(Kind.EXCEPTION_RESPONSE, r.unit(), code, String.format(
                "modbus unit %d on %s refused %s: exception %02d %s", r.unit(), port, r.describe(), code,
                ModbusRtuCodec.exceptionName(code)));
    }

    static ModbusException timeout(String port, ModbusRequest r, int tries, long timeoutMs) {
        return new ModbusException(Kind.TIMEOUT, r.unit(), 0, String.format(
                "modbus unit %d on %s did not answer %s (%d tries, %d ms each; wrong unit id, baud or wiring?)",
                r.unit(), port, r.describe(), tries, timeoutMs));
    }

    static ModbusException corrupt(String port, ModbusRequest r, int tries, String why) {
        return new ModbusException(Kind.CORRUPT_RESPONSE, r.unit(), 0, String.format(
                "modbus unit %d on %s sent no valid answer to %s in %d tries (last: %s; noise or termination?)",
                r.unit(), port, r.describe(), tries, why));
    }

    static ModbusException busy(String port, ModbusRequest r, long waitedMs) {
        return new ModbusException(Kind.BUS_BUSY, r.unit(), 0, String.format(
                "modbus unit %d on %s: the RS-485 bus stayed busy for %d ms; %s not sent",
                r.unit(), port, waitedMs, r.describe()));
    }
}
