package org.streetgate.kiosk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kiosk.db on a real SQLite file: what the retention purge removes, down to the file's bytes. */
class ParcelStoreTest {
    private static final long T0 = 1_764_330_000_000L;
    private static final long DAY = Duration.ofDays(1).toMillis();
    private static final String OLD_DOCUMENT = "Certificate of residence: ZHANG Wei, 17 Lotus Lane";
    private static final String NEW_DOCUMENT = "Still waiting: LI Na, 3 Pine Road";
    private static final String EXPIRED_DOCUMENT = "Never collected: WU Fang, 9 Bamboo Court";

    @TempDir
    Path dir;

    /** kiosk.db and its WAL as bytes (ISO-8859-1 keeps every byte; the texts are ASCII). */
    private String rawFiles() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String name : List.of("kiosk.db", "kiosk.db-wal")) {
            Path f = dir.resolve(name);
            if (Files.exists(f)) {
                sb.append(new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
            }
        }
        return sb.toString();
    }

    @Test
    void after_the_retention_a_printed_document_and_a_finished_parcel_are_gone_from_the_file_bytes() throws Exception {
        SecretHash oldCode = SecretHash.of("482913", 1);
        try (ParcelStore store = new ParcelStore(dir.resolve("kiosk.db"))) {
            store.addPrintJob("doc-old", SecretHash.of("tok-aaaaaaaa", 1),
                    PrintJobs.normalize(Map.of("text", OLD_DOCUMENT)), T0 + 3 * DAY, T0);
            assertTrue(store.printJobDone("doc-old", "printed", T0 + 1000));
            store.addPrintJob("doc-new", SecretHash.of("tok-bbbbbbbb", 1),
                    PrintJobs.normalize(Map.of("text", NEW_DOCUMENT)), T0 + 30 * DAY, T0);
            store.addPrintJob("doc-expired", SecretHash.of("tok-cccccccc", 1),
                    PrintJobs.normalize(Map.of("text", EXPIRED_DOCUMENT)), T0 + DAY, T0);
            store.addParcel("p-old", 4, oldCode, T0 + 3 * DAY, "platform", T0);
            assertTrue(store.transition("p-old", ParcelStore.State.WAITING, ParcelStore.State.PICKED_UP, T0 + 2000));
            store.addParcel("p-waiting", 5, SecretHash.of("735102", 1), T0 + 30 * DAY, "platform", T0);
            assertTrue(rawFiles().contains(OLD_DOCUMENT), "the check can see a document in the file");
            assertTrue(rawFiles().contains(oldCode.text()));

            long retention = 7 * DAY;
            assertEquals(new ParcelStore.Purged(0, 0), store.purge(T0 + 1000 - 1),
                    "nothing before its retention is over");
            assertEquals(new ParcelStore.Purged(1, 2), store.purge(T0 + 8 * DAY + 2000 - retention));

            String raw = rawFiles();
            assertFalse(raw.contains(OLD_DOCUMENT), "the printed document lingers in the file");
            assertFalse(raw.contains(EXPIRED_DOCUMENT), "the expired document lingers in the file");
            assertFalse(raw.contains("p-old"), "the finished parcel lingers in the file");
            assertFalse(raw.contains(oldCode.text()), "the finished parcel's code hash lingers in the file");
            assertTrue(raw.contains(NEW_DOCUMENT), "a waiting job stays");
            assertEquals(List.of("doc-new"), store.waitingPrintJobs(T0).stream().map(ParcelStore.PrintJob::id).toList());
            assertTrue(store.parcel("p-waiting").isPresent());
        }
        try (ParcelStore reopened = new ParcelStore(dir.resolve("kiosk.db"))) {
            assertFalse(reopened.parcel("p-old").isPresent());
            assertFalse(reopened.hasPrintJob("doc-old"));
            assertTrue(reopened.hasPrintJob("doc-new"));
        }
    }
}
