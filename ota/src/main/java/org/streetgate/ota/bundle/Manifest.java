package org.streetgate.ota.bundle;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.streetgate.ota.BundleException;
import org.streetgate.ota.BundleException.Reason;
import org.streetgate.ota.util.Hex;
import org.streetgate.ota.util.Version;

/**
 * What a bundle claims, signed as exact bytes in manifest.json. {@code releaseCounter} orders releases
 * (anti-rollback); {@code version} is for humans and directory names. File paths are relative to
 * payload/ in the bundle and to the release directory once installed.
 */
public record Manifest(int format, String name, String version, long releaseCounter, List<String> compatible,
                       String minAgent, List<FileEntry> files) {

    public static final int FORMAT = 1;
    /** Installed releases keep their manifest and signature here; payloads may not use it. */
    public static final String META_DIR = ".ota";

    public Manifest {
        if (format != FORMAT) {
            throw malformed("manifest.json: format " + format + " is not supported (expected " + FORMAT + ")");
        }
        if (name == null || !name.matches("[a-z0-9][a-z0-9._-]{0,63}")) {
            throw malformed("manifest.json: name must match [a-z0-9][a-z0-9._-]{0,63}, got '" + name + "'");
        }
        if (version == null || !version.matches("[0-9A-Za-z][0-9A-Za-z.+_-]{0,63}")) {
            throw malformed("manifest.json: version must match [0-9A-Za-z][0-9A-Za-z.+_-]{0,63}, got '" + version + "'");
        }
        if (releaseCounter < 0) {
            throw malformed("manifest.json: releaseCounter must be >= 0, got " + releaseCounter);
        }
        if (compatible == null || compatible.isEmpty()) {
            throw malformed("manifest.json: compatible must list at least one gateway model");
        }
        compatible = List.copyOf(compatible);
        for (String model : compatible) {
            if (model == null || !model.matches("[a-z0-9-]{1,64}")) {
                throw malformed("manifest.json: compatible model '" + model + "' must match [a-z0-9-]{1,64}");
            }
        }
        try {
            Version.parse(minAgent);
        } catch (IllegalArgumentException e) {
            throw malformed("manifest.json: minAgent: " + e.getMessage());
        }
        if (files != null && files.size() > ManifestCodec.MAX_FILES) {
            throw malformed("manifest.json: " + files.size() + " files, more than the " + ManifestCodec.MAX_FILES + " a bundle can hold");
        }
        files = List.copyOf(files == null ? List.of() : files);
        Set<String> seen = new HashSet<>();
        for (FileEntry f : files) {
            if (!seen.add(f.path())) {
                throw new BundleException(Reason.DUPLICATE_ENTRY, "manifest.json: " + f.path() + " is listed twice");
            }
        }
    }

    public long payloadBytes() {
        return files.stream().mapToLong(FileEntry::size).sum();
    }

    /** One payload file: path, content hash, exact size and permission bits (octal text, e.g. "0755"). */
    public record FileEntry(String path, String sha256, long size, String mode) {
        public FileEntry {
            String why = unsafePathReason(path);
            if (why != null) {
                throw new BundleException(Reason.UNSAFE_PATH, "manifest.json: file path '" + path + "' " + why);
            }
            if (path.equals(META_DIR) || path.startsWith(META_DIR + "/")) {
                throw new BundleException(Reason.UNSAFE_PATH, "manifest.json: " + path + " is reserved for the installer");
            }
            if (!Hex.isSha256(sha256)) {
                throw malformed("manifest.json: " + path + ": sha256 must be 64 lowercase hex digits");
            }
            if (size < 0 || size > 0xFFFFFFFEL) {
                throw malformed("manifest.json: " + path + ": size " + size + " out of range");
            }
            if (mode == null || !mode.matches("0?[0-7]{3}")) {
                throw malformed("manifest.json: " + path + ": mode must be octal like 0644, got '" + mode + "'");
            }
        }

        public int permissions() {
            return Integer.parseInt(mode, 8);
        }
    }

    /** Why a relative path is unsafe to extract, or null when it is fine. Shared with the zip entry check. */
    public static String unsafePathReason(String path) {
        if (path == null || path.isEmpty()) {
            return "is empty";
        }
        if (path.startsWith("/") || path.matches("^[A-Za-z]:.*")) {
            return "is absolute";
        }
        if (path.indexOf('\\') >= 0) {
            return "contains a backslash";
        }
        for (char c : path.toCharArray()) {
            if (c < 0x20 || c == 0x7f) {
                return "contains a control character";
            }
        }
        for (String segment : path.split("/", -1)) {
            if (segment.equals("..")) {
                return "climbs out with '..'";
            }
            if (segment.isEmpty() || segment.equals(".")) {
                return "has an empty or '.' segment";
            }
        }
        return null;
    }

    private static BundleException malformed(String message) {
        return new BundleException(Reason.MALFORMED, message);
    }
}
