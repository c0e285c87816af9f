package org.streetgate.drivers.config;

/** One thing wrong with a profile, printed as {@code file:line: message}. */
public record ConfigProblem(Position at, String message) {
    @Override
    public String toString() {
        return at + ": " + message;
    }
}
