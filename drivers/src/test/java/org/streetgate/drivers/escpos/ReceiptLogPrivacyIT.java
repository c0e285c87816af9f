package org.streetgate.drivers.escpos;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streetgate.drivers.qrscanner.ScanLogPrivacyIT;

/** A receipt's pickup code goes to paper only: never into a log line, even when the job fails. */
class ReceiptLogPrivacyIT {
    @TempDir
    Path dir;

    @Test
    void no_receipt_content_appears_in_any_log_line() throws Exception {
        String code = "528017";
        String log = ScanLogPrivacyIT.runProbe(ReceiptLogProbe.class, dir.resolve("printer.log"), code);

        assertTrue(log.contains("print job failed: paper out"), log);
        assertFalse(log.contains(code), "a log line holds the code:\n" + log);
    }
}
