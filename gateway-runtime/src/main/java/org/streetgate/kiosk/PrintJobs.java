package org.streetgate.kiosk;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.streetgate.drivers.escpos.Receipt;

/**
 * The document of a print job, as the platform sends it in {@code add-print-job}:
 * {@code {"lines": [{"text": "..", "bold": false, "size": 1, "align": "left"}], "qr": "..", "cut": true}},
 * or simply {@code {"text": "line 1\nline 2"}}. Checked when the job arrives, so a job that is
 * accepted can be printed.
 */
final class PrintJobs {
    private static final ObjectMapper JSON = new ObjectMapper();
    static final int MAX_LINES = 400;

    private PrintJobs() {}

    /** Validates the document and returns it as stored JSON; throws IllegalArgumentException saying what is wrong. */
    static String normalize(Map<String, Object> document) {
        Receipt r = receipt(document);
        List<Map<String, Object>> lines = new ArrayList<>();
        for (Receipt.Line l : r.lines()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("text", l.text());
            m.put("bold", l.bold());
            m.put("size", l.size());
            m.put("align", l.align().name().toLowerCase(Locale.ROOT));
            lines.add(m);
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("lines", lines);
        if (r.qr() != null) {
            out.put("qr", r.qr());
        }
        out.put("cut", r.cut());
        try {
            return JSON.writeValueAsString(out);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Receipt receipt(String storedJson) {
        try {
            return receipt(JSON.readValue(storedJson, new TypeReference<Map<String, Object>>() {}));
        } catch (IOException e) {
            throw new IllegalStateException("stored print job is not valid JSON", e);
        }
    }

    static Receipt receipt(Map<String, Object> doc) {
        List<Receipt.Line> lines = new ArrayList<>();
        Object text = doc.get("text");
        Object rawLines = doc.get("lines");
        if (text instanceof String s) {
            for (String l : s.split("\r?\n", -1)) {
                lines.add(Receipt.Line.of(l));
            }
        } else if (rawLines instanceof List<?> list) {
            for (Object o : list) {
                if (o instanceof String s) {
                    lines.add(Receipt.Line.of(s));
                } else if (o instanceof Map<?, ?> m && m.get("text") instanceof String t) {
                    boolean bold = Boolean.TRUE.equals(m.get("bold"));
                    int size = m.get("size") instanceof Number n ? n.intValue() : 1;
                    Receipt.Align align = switch (String.valueOf(m.containsKey("align") ? m.get("align") : "left")) {
                        case "left" -> Receipt.Align.LEFT;
                        case "center" -> Receipt.Align.CENTER;
                        case "right" -> Receipt.Align.RIGHT;
                        default -> throw new IllegalArgumentException("line align must be left, center or right");
                    };
                    lines.add(new Receipt.Line(t, bold, size, align));
                } else {
                    throw new IllegalArgumentException("each line must be text or {text, bold, size, align}");
                }
            }
        } else if (doc.get("qr") == null) {
            throw new IllegalArgumentException("a document needs 'text' or 'lines'");
        }
        if (lines.size() > MAX_LINES) {
            throw new IllegalArgumentException("a document may have at most " + MAX_LINES + " lines");
        }
        Object qr = doc.get("qr");
        if (qr != null && !(qr instanceof String)) {
            throw new IllegalArgumentException("'qr' must be text");
        }
        boolean cut = !Boolean.FALSE.equals(doc.get("cut"));
        return new Receipt(lines, (String) qr, cut);
    }
}
