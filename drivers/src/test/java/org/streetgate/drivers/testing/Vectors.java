package org.streetgate.drivers.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Published protocol vectors, copied into this module's test resources ({@code vectors/}, see its
 * README.md for where each file comes from) and read from the classpath, so the codec tests run
 * from a plain clone and never read a path outside the repository.
 */
public final class Vectors {
    /** One row: kind, wire bytes, what to expect, and where it was published. */
    public record Row(String kind, byte[] bytes, String expected, String source) {}

    /** The classpath folder holding the vector files. */
    public static final String FOLDER = "vectors/";

    private Vectors() {}

    /** Where {@code file} is on the classpath; fails naming the file when it is not there. */
    public static URL url(String file) {
        URL url = Vectors.class.getClassLoader().getResource(FOLDER + file);
        if (url == null) {
            throw new IllegalStateException("no test resource " + FOLDER + file
                    + " (copy it into drivers/src/test/resources/" + FOLDER + " with its source)");
        }
        return url;
    }

    /** The whole text of a vector file, UTF-8. */
    public static String text(String file) {
        try (InputStream in = url(file).openStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read test resource " + FOLDER + file, e);
        }
    }

    /** The lines of a vector file, comments included. */
    public static List<String> lines(String file) {
        return text(file).lines().toList();
    }

    /** Rows of a tab-separated vector file whose second column is hex; '#' lines are comments. */
    public static List<Row> tsv(String file) {
        List<Row> rows = new ArrayList<>();
        for (String line : lines(file)) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] cols = line.split("\t");
            rows.add(new Row(cols[0], hex(cols[1]), cols.length > 2 ? cols[2] : "", cols.length > 3 ? cols[3] : ""));
        }
        return rows;
    }

    public static Row first(String file, String kind) {
        return tsv(file).stream().filter(r -> r.kind().equals(kind)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no row of kind " + kind + " in " + file));
    }

    public static byte[] hex(String spaced) {
        return HexFormat.of().parseHex(spaced.replaceAll("\\s+", ""));
    }
}
