package org.streetgate.drivers.config;

/** Where a value came from, so that every profile error can say {@code file:line}. */
public record Position(String file, int line) {
    @Override
    public String toString() {
        return file + ":" + line;
    }
}
