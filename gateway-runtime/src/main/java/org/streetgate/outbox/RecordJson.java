package org.streetgate.outbox;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.TreeMap;
import org.streetgate.drivers.spi.Message;

/**
 * The JSON of one record in the telemetry and events envelopes (DESIGN §3.3). The outbox stores
 * everything after {@code seq} and {@code ts}, so that a record's time can still be corrected
 * (clock sync) and a batch is built by concatenation, without parsing.
 */
public final class RecordJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final JsonFactory FACTORY = MAPPER.getFactory();

    /**
     * For JSON that comes from outside (commands): a repeated key is an error, not last-wins, and
     * nesting, numbers and strings are bounded before anything is built from them.
     */
    private static final ObjectMapper STRICT = new ObjectMapper(JsonFactory.builder()
            .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .streamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder()
                    .maxNestingDepth(16).maxNumberLength(32).maxStringLength(64 * 1024).build())
            .build());

    private RecordJson() {}

    /** The parser for inbound JSON: duplicate keys rejected, depth and sizes bounded. */
    public static ObjectMapper strictMapper() {
        return STRICT;
    }

    /** The stored tail of a record: {@code "device":..,"metrics":{..}}} or the event form. */
    public static String body(Message message) {
        StringWriter out = new StringWriter(96);
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("device", message.device());
            switch (message) {
                case Message.Reading r -> {
                    g.writeObjectFieldStart("metrics");
                    for (var e : new TreeMap<>(r.metrics()).entrySet()) {
                        writeNumber(g, e.getKey(), e.getValue());
                    }
                    g.writeEndObject();
                }
                case Message.Event e -> {
                    g.writeStringField("type", e.type());
                    g.writeStringField("severity", e.severity().wire());
                    g.writeFieldName("data");
                    MAPPER.writeValue(g, new TreeMap<>(e.data()));
                }
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // Drop the opening brace: seq and ts are written in front of it when the batch is built.
        return out.toString().substring(1);
    }

    /** A result on {@code cmd/result}: {@code {"id":..,"status":..,"result":{..},"error":..}}. */
    public static String result(String id, String status, Map<String, Object> result, String error) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("id", id);
        m.put("status", status);
        if (result != null && !result.isEmpty()) {
            m.put("result", result);
        }
        if (error != null) {
            m.put("error", error);
        }
        try {
            return MAPPER.writeValueAsString(m).substring(1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes whole numbers without a fraction, as the contract's examples do. */
    private static void writeNumber(JsonGenerator g, String name, double v) throws IOException {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            g.writeNumberField(name, (long) v);
        } else {
            g.writeNumberField(name, v);
        }
    }

    /** Appends one full record to a batch being built. */
    public static void appendRecord(StringBuilder sb, Row row, boolean withSeqAndTs) {
        sb.append('{');
        if (withSeqAndTs) {
            sb.append("\"seq\":").append(row.seq()).append(",\"ts\":").append(row.ts()).append(',');
            if (row.unsynced()) {
                sb.append("\"ts_quality\":\"unsynced\",");
            }
        }
        sb.append(row.body());
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }
}
