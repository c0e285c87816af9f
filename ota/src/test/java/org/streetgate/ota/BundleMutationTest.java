package org.streetgate.ota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streetgate.ota.bundle.BundleVerifier;
import org.streetgate.ota.keys.TrustedKeys;

/**
 * Property: whatever is done to a valid bundle's bytes, verification either succeeds or refuses with
 * a {@link BundleException}: never another exception, never a large allocation, never a hang.
 * Seeded and with a fixed budget, so a failure names the seed and iteration that reproduce it.
 */
class BundleMutationTest {
    static final long SEED = 0x5EED_0B5L;
    static final int BUDGET = 1500;
    /** Per verification, far below what a claimed multi-GiB directory or entry would need. */
    static final long MAX_ALLOCATED = 8L << 20;

    @TempDir
    Path tmp;

    final KeyPair key = TestBundles.newKey();
    final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    /** Offsets of the zip's structural records (local headers, central directory entries, end record). */
    static List<Integer> structure(byte[] zip) {
        List<Integer> at = new ArrayList<>();
        for (int i = 0; i + 4 <= zip.length; i++) {
            if (zip[i] == 'P' && zip[i + 1] == 'K' && (zip[i + 2] == 3 || zip[i + 2] == 1 || zip[i + 2] == 5)) {
                at.add(i);
            }
        }
        return at;
    }

    static byte[] mutate(byte[] good, List<Integer> structure, Random r) {
        byte[] b = good.clone();
        switch (r.nextInt(6)) {
            case 0 -> { // a few bit flips anywhere
                for (int n = 1 + r.nextInt(8); n > 0; n--) {
                    int i = r.nextInt(b.length);
                    b[i] ^= (byte) (1 << r.nextInt(8));
                }
            }
            case 1 -> b = Arrays.copyOf(b, r.nextInt(b.length)); // truncated
            case 2 -> { // trailing garbage
                byte[] tail = new byte[1 + r.nextInt(512)];
                r.nextBytes(tail);
                b = Arrays.copyOf(b, b.length + tail.length);
                System.arraycopy(tail, 0, b, good.length, tail.length);
            }
            case 3, 4 -> { // a huge or boundary value in a size, offset, count or length field of a record
                int base = structure.get(r.nextInt(structure.size()));
                int field = base + 4 + 2 * r.nextInt(20);
                long[] values = {0xFFFFFFFFL, 0x7FFFFFFFL, 0x80000000L, 0xFFFFL, 0, good.length, good.length + 1, 1L << 30};
                long v = values[r.nextInt(values.length)];
                int width = r.nextBoolean() ? 4 : 2;
                for (int k = 0; k < width && field + k < b.length; k++) {
                    b[field + k] = (byte) (v >>> (8 * k));
                }
            }
            default -> { // a chunk copied over another place (confuses offsets and names)
                int len = 1 + r.nextInt(64);
                int from = r.nextInt(Math.max(1, b.length - len));
                int to = r.nextInt(Math.max(1, b.length - len));
                System.arraycopy(good, from, b, to, Math.min(len, b.length - to));
            }
        }
        return b;
    }

    @Test
    void mutated_bundles_are_verified_or_refused_with_a_bundle_exception_only() throws IOException {
        Path good = TestBundles.bundle(tmp, key, "2.0.0", 20, TestBundles.payload("2.0.0", "healthy", 3000));
        byte[] bytes = Files.readAllBytes(good);
        List<Integer> structure = structure(bytes);
        assertTrue(structure.size() >= 7, "found the zip records: " + structure);
        BundleVerifier verifier = new BundleVerifier(TrustedKeys.of(List.of(key.getPublic())));
        Random random = new Random(SEED);
        Path mutant = tmp.resolve("mutant.sgb");
        List<String> crashes = new ArrayList<>();
        int[] refused = {0};
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            for (int i = 0; i < BUDGET; i++) {
                byte[] m = mutate(bytes, structure, random);
                Files.write(mutant, m);
                for (String step : List.of("verify", "inspect")) {
                    long before = threads.getCurrentThreadAllocatedBytes();
                    try {
                        if (step.equals("verify")) {
                            verifier.verify(mutant);
                        } else {
                            BundleVerifier.inspect(mutant);
                        }
                    } catch (BundleException e) {
                        refused[0]++;
                    } catch (RuntimeException | Error e) {
                        Path kept = tmp.resolve("crasher-" + i + ".sgb");
                        Files.write(kept, m);
                        crashes.add("seed " + SEED + " iteration " + i + " " + step + ": " + e);
                    }
                    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
                    if (allocated > MAX_ALLOCATED) {
                        crashes.add("seed " + SEED + " iteration " + i + " " + step + ": allocated " + allocated + " bytes");
                    }
                }
            }
        });
        assertEquals(List.of(), crashes);
        assertTrue(refused[0] > BUDGET, "most mutants are refused (" + refused[0] + " refusals): the mutations reach the checks");
    }
}
