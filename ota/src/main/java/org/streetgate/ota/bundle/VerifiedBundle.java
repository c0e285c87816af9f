package org.streetgate.ota.bundle;

import java.nio.file.Path;
import java.util.Map;
import org.streetgate.ota.util.Hex;

/**
 * A bundle file whose signature and every payload hash have been checked. Only this type can be
 * staged, so nothing unverified reaches the release directories.
 *
 * @param payload manifest path to zip entry
 */
public record VerifiedBundle(Path file, Manifest manifest, byte[] manifestBytes, byte[] signatureBytes,
                             String signerKeyId, Map<String, StoredZip.Entry> payload) {
    public VerifiedBundle {
        payload = Map.copyOf(payload);
    }

    public String manifestSha256() {
        return Hex.sha256(manifestBytes);
    }
}
