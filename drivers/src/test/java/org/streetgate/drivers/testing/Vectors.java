package org.streetgate.drivers.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** Published protocol vectors from {@code shared/vectors/} beside the repository. */
public final class Vectors {
    /** One row: kind, wire bytes, what to expect, and where it was published. */
    public record Row(String kind, byte[] bytes, String expected, String source) {}

    private Vectors() {}

    public static Path dir() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            Path candidate = p.resolve("shared/vectors");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
            candidate = p.resolve("../shared/vectors").normalize();
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("shared/vectors not found above " + Path.of("").toAbsolutePath());
    }

    /** Rows of a tab-separated vector file whose second column is hex; '#' lines are comments. */
    public static List<Row> tsv(String file) {
        try {
            List<Row> rows = new ArrayList<>();
            for (String line : Files.readAllLines(dir().resolve(file))) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] cols = line.split("\t");
                rows.add(new Row(cols[0], hex(cols[1]), cols.length > 2 ? cols[2] : "", cols.length > 3 ? cols[3] : ""));
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Row first(String file, String kind) {
        return tsv(file).stream().filter(r -> r.kind().equals(kind)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no row of kind " + kind + " in " + file));
    }

    public static byte[] hex(String spaced) {
        return HexFormat.of().parseHex(spaced.replaceAll("\\s+", ""));
    }
}
