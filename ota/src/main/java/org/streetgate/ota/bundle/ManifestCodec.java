package org.streetgate.ota.bundle;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import org.streetgate.ota.BundleException;
import org.streetgate.ota.BundleException.Reason;

/** manifest.json to and from {@link Manifest}; strict: unknown or duplicate keys are errors. */
public final class ManifestCodec {
    /** More files than a zip without zip64 can hold is a lie. */
    public static final int MAX_FILES = 65535;

    // The manifest is at most 1 MiB (BundleVerifier) and `ota inspect` parses it unsigned: keep
    // nesting, strings and numbers small so no input makes the parser build something large.
    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(16).maxStringLength(64 << 10).maxNumberLength(24).build())
            .build();

    static final ObjectMapper MAPPER = new ObjectMapper(FACTORY)
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private ManifestCodec() {
    }

    public static byte[] toJson(Manifest m) {
        try {
            return MAPPER.writeValueAsBytes(m);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise a manifest", e);
        }
    }

    public static Manifest fromJson(byte[] json) {
        try {
            return MAPPER.readValue(json, Manifest.class);
        } catch (IOException e) {
            // Validation in the record constructors arrives wrapped; give the caller our own message.
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof BundleException be) {
                    throw be;
                }
            }
            throw new BundleException(Reason.MALFORMED, "manifest.json: " + firstLine(e.getMessage()));
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }
}
