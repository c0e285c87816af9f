package org.streetgate.ota;

import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.tinylog.core.LogEntry;
import org.tinylog.core.LogEntryValue;
import org.tinylog.writers.Writer;

/**
 * A tinylog writer (test resources' tinylog.properties) that keeps every log line of the test JVM,
 * so a test can assert that something never reaches a log: credentials in offer URLs, tokens.
 */
public final class CapturingWriter implements Writer {
    private static final List<String> LINES = new CopyOnWriteArrayList<>();

    public CapturingWriter(Map<String, String> properties) {
    }

    /** Every line logged so far, message and exception text. */
    static List<String> lines() {
        return List.copyOf(LINES);
    }

    @Override
    public Collection<LogEntryValue> getRequiredLogEntryValues() {
        return EnumSet.of(LogEntryValue.MESSAGE, LogEntryValue.EXCEPTION, LogEntryValue.LEVEL);
    }

    @Override
    public void write(LogEntry e) {
        LINES.add(e.getLevel() + " " + e.getMessage() + (e.getException() == null ? "" : " " + e.getException()));
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }
}
