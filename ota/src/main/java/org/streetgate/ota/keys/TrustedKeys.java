package org.streetgate.ota.keys;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.streetgate.ota.BundleException;

/**
 * The public keys a gateway accepts bundles from, by key id. Several at once so that a new release
 * key can be rolled out while bundles signed with the old one are still in the field.
 */
public final class TrustedKeys {
    private final Map<String, PublicKey> byId;

    private TrustedKeys(Map<String, PublicKey> byId) {
        this.byId = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(byId)); // keeps the configured order for messages
    }

    /**
     * Build from entries as they appear in a profile or on the command line: each is either a base64
     * SPKI string or the path of a {@code .pub} file.
     */
    public static TrustedKeys parse(Collection<String> entries) {
        Map<String, PublicKey> keys = new LinkedHashMap<>();
        for (String entry : entries) {
            String e = entry.strip();
            byte[] spki;
            Path asPath = pathOrNull(e);
            if (asPath != null && Files.isRegularFile(asPath)) {
                spki = KeyFiles.readPublicSpki(asPath);
            } else {
                try {
                    spki = Base64.getDecoder().decode(e);
                } catch (IllegalArgumentException ex) {
                    throw new BundleException(BundleException.Reason.MALFORMED,
                            "trusted key '" + abbreviate(e) + "' is neither a readable .pub file nor base64 SPKI");
                }
            }
            keys.put(KeyFiles.keyId(spki), KeyFiles.publicFromSpki(spki, "trusted key " + abbreviate(e)));
        }
        return new TrustedKeys(keys);
    }

    public static TrustedKeys of(List<PublicKey> keys) {
        Map<String, PublicKey> map = new LinkedHashMap<>();
        for (PublicKey k : keys) {
            map.put(KeyFiles.keyId(k.getEncoded()), k);
        }
        return new TrustedKeys(map);
    }

    public Optional<PublicKey> find(String keyId) {
        return Optional.ofNullable(byId.get(keyId));
    }

    public List<String> ids() {
        return List.copyOf(byId.keySet());
    }

    public boolean isEmpty() {
        return byId.isEmpty();
    }

    private static Path pathOrNull(String s) {
        try {
            return Path.of(s);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String abbreviate(String s) {
        return s.length() > 24 ? s.substring(0, 24) + "…" : s;
    }
}
