package org.streetgate.ota;

import java.net.URI;
import java.util.Map;
import org.streetgate.ota.BundleException.Reason;
import org.streetgate.ota.util.Hex;
import org.streetgate.ota.util.Redact;

/**
 * An update offered by the platform: the {@code ota} device's {@code offer} command
 * ({@code {"url":..,"sha256":..,"size":..,"version":..}}). The sha256 and size are of the whole .sgb
 * file; the download never reads more than {@code size} bytes.
 */
public record Offer(URI url, String sha256, long size, String version) {
    /** Bundles are zips without zip64. */
    public static final long MAX_SIZE = 0xFFFFFFFFL;

    public Offer {
        if (url == null || url.getScheme() == null
                || !(url.getScheme().equals("http") || url.getScheme().equals("https")) || url.getHost() == null) {
            throw bad("url must be an absolute http or https URL, got '" + Redact.url(url) + "'");
        }
        if (sha256 != null) {
            sha256 = sha256.toLowerCase();
        }
        if (!Hex.isSha256(sha256)) {
            throw bad("sha256 must be 64 hex digits");
        }
        if (size <= 0 || size > MAX_SIZE) {
            throw bad("size must be between 1 and " + MAX_SIZE + " bytes, got " + size);
        }
        if (version == null || version.isBlank() || version.length() > 64) {
            throw bad("version must be 1 to 64 characters");
        }
    }

    /** The host the offer names, lowercase, as matched against the allowed hosts. */
    public String host() {
        return url.getHost().toLowerCase(java.util.Locale.ROOT);
    }

    /** Never shows credentials in the URL: records end up in logs. */
    @Override
    public String toString() {
        return "Offer[url=" + Redact.url(url) + ", sha256=" + sha256 + ", size=" + size + ", version=" + version + "]";
    }

    /** Build from a command's {@code args} object as the runtime decoded it from JSON. */
    public static Offer fromArgs(Map<String, ?> args) {
        Object url = args.get("url");
        Object sha = args.get("sha256");
        Object size = args.get("size");
        Object version = args.get("version");
        if (!(url instanceof String u)) {
            throw bad("url is missing");
        }
        if (!(size instanceof Number n) || n.doubleValue() != Math.floor(n.doubleValue())) {
            throw bad("size must be an integer");
        }
        URI uri;
        try {
            uri = URI.create(u);
        } catch (IllegalArgumentException e) {
            throw bad("url is not a valid URL");
        }
        return new Offer(uri, sha instanceof String s ? s : null, n.longValue(), version instanceof String v ? v : null);
    }

    private static BundleException bad(String message) {
        return new BundleException(Reason.BAD_OFFER, "offer: " + message);
    }
}
