package org.streetgate.drivers.config;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Collects every problem in a profile so that one {@code validate} run reports them all, in file
 * order, instead of stopping at the first.
 */
public final class Problems {
    private final List<ConfigProblem> list = new ArrayList<>();

    public void add(Position at, String message) {
        list.add(new ConfigProblem(at, message));
    }

    public boolean isEmpty() {
        return list.isEmpty();
    }

    public List<ConfigProblem> list() {
        return list.stream()
                .sorted(Comparator.comparing((ConfigProblem p) -> p.at().file())
                        .thenComparingInt(p -> p.at().line()))
                .toList();
    }

    /** Throws a {@link ConfigException} holding everything found so far, if anything was. */
    public void throwIfAny() {
        if (!list.isEmpty()) {
            throw new ConfigException(list());
        }
    }
}
