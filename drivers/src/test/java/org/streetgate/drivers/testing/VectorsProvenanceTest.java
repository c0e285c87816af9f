package org.streetgate.drivers.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The codec tests' vectors live in this module and are read from here: a plain clone must pass,
 * and nothing may read the reference set beside the repository.
 */
class VectorsProvenanceTest {
    /** Every file the codec tests load through {@link Vectors}. */
    private static final List<String> FILES =
            List.of("pms5003.tsv", "modbus-rtu.tsv", "escpos.tsv", "kerong-cu16.tsv", "bmp280-datasheet.txt");

    /** Split so that this file does not match itself. */
    private static final List<String> OUTSIDE_PATHS = List.of("shared" + "/vectors", ".." + "/shared");

    /** Surefire runs tests in the module's directory. */
    private static final Path MODULE = Path.of("").toAbsolutePath();

    private static Path testClasses() throws URISyntaxException {
        return Path.of(Vectors.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    @Test
    void test_classes_are_this_modules_own() throws URISyntaxException {
        assertEquals(MODULE.resolve("target/test-classes"), testClasses(),
                "tests must run from drivers/target/test-classes (working directory " + MODULE + ")");
    }

    @Test
    void every_vector_file_resolves_inside_the_modules_test_classes() throws Exception {
        Path root = testClasses();
        for (String file : FILES) {
            URL url = Vectors.url(file);
            assertEquals("file", url.getProtocol(), file + " comes from " + url);
            Path p = Path.of(url.toURI()).normalize();
            assertTrue(p.startsWith(root) && p.startsWith(MODULE), file + " resolves to " + p + ", outside " + root);
        }
        List<URL> folders = Collections.list(Vectors.class.getClassLoader().getResources(Vectors.FOLDER));
        assertEquals(1, folders.size(), "more than one " + Vectors.FOLDER + " on the test classpath: " + folders);
        assertTrue(Path.of(folders.get(0).toURI()).startsWith(root), folders.get(0).toString());
    }

    @Test
    void every_vector_row_keeps_its_source_column() {
        for (String file : FILES) {
            if (!file.endsWith(".tsv")) {
                continue;
            }
            for (String line : Vectors.lines(file)) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] cols = line.split("\t");
                assertTrue(cols.length >= 4 && !cols[3].isBlank(), file + ": row without a source: " + line);
            }
        }
        String readme = Vectors.text("README.md");
        for (String file : FILES) {
            assertTrue(readme.contains("`" + file + "`"), "vectors/README.md does not say where " + file + " comes from");
        }
    }

    @Test
    void no_source_under_drivers_src_points_outside_the_repository() throws IOException {
        List<String> offenders = new ArrayList<>();
        try (Stream<Path> files = Files.walk(MODULE.resolve("src"))) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String text;
                try {
                    text = Files.readString(f);
                } catch (MalformedInputException binary) {
                    continue;
                }
                for (String needle : OUTSIDE_PATHS) {
                    if (text.contains(needle)) {
                        offenders.add(MODULE.relativize(f) + " mentions " + needle);
                    }
                }
            }
        }
        assertTrue(offenders.isEmpty(), String.join("\n", offenders));
        assertTrue(Files.isRegularFile(MODULE.resolve("src/test/java/org/streetgate/drivers/testing/Vectors.java")),
                "the scan did not run in the drivers module: " + MODULE);
    }
}
