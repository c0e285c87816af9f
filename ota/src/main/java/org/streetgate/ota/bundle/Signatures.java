package org.streetgate.ota.bundle;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.streetgate.ota.BundleException;
import org.streetgate.ota.BundleException.Reason;
import org.streetgate.ota.keys.KeyFiles;
import org.streetgate.ota.keys.TrustedKeys;
import org.streetgate.ota.util.Hex;

/**
 * manifest.sig: a header line, then one {@code ed25519 <key id> <base64 signature>} line per signer,
 * each over the exact bytes of manifest.json. Text, so a technician can read who signed a bundle.
 */
public final class Signatures {
    static final String HEADER = "streetgate-ota-sig v1";
    private static final int MAX_SIGNERS = 8;

    private Signatures() {
    }

    /** One signature line. */
    public record Line(String keyId, byte[] signature) {
    }

    public static byte[] sign(byte[] manifest, List<PrivateKey> keys, List<PublicKey> publicKeys) {
        StringBuilder sb = new StringBuilder(HEADER).append('\n');
        for (int i = 0; i < keys.size(); i++) {
            try {
                Signature s = Signature.getInstance("Ed25519");
                s.initSign(keys.get(i));
                s.update(manifest);
                sb.append("ed25519 ").append(KeyFiles.keyId(publicKeys.get(i).getEncoded())).append(' ')
                        .append(Base64.getEncoder().encodeToString(s.sign())).append('\n');
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("Ed25519 signing failed", e);
            }
        }
        return sb.toString().getBytes(StandardCharsets.US_ASCII);
    }

    public static List<Line> parse(byte[] sigFile) {
        String text = new String(sigFile, StandardCharsets.US_ASCII);
        String[] lines = text.split("\n");
        if (lines.length == 0 || !lines[0].equals(HEADER)) {
            throw new BundleException(Reason.MALFORMED, "manifest.sig: missing header '" + HEADER + "'");
        }
        List<Line> out = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            String[] parts = lines[i].split(" ");
            if (parts.length != 3 || !parts[0].equals("ed25519") || !Hex.isSha256(parts[1])) {
                throw new BundleException(Reason.MALFORMED, "manifest.sig: line " + (i + 1) + " is not 'ed25519 <key id> <signature>'");
            }
            try {
                out.add(new Line(parts[1], Base64.getDecoder().decode(parts[2])));
            } catch (IllegalArgumentException e) {
                throw new BundleException(Reason.MALFORMED, "manifest.sig: line " + (i + 1) + ": signature is not base64");
            }
        }
        if (out.isEmpty()) {
            throw new BundleException(Reason.UNSIGNED, "manifest.sig: the bundle carries no signature");
        }
        if (out.size() > MAX_SIGNERS) {
            throw new BundleException(Reason.MALFORMED, "manifest.sig: more than " + MAX_SIGNERS + " signatures");
        }
        return out;
    }

    /**
     * Check the signatures against the trusted keys and return the id of the key that verified. Any
     * signature from a trusted key that fails is a hard failure: the manifest or signature was altered.
     */
    public static String verify(byte[] manifest, List<Line> lines, TrustedKeys trusted) {
        if (trusted.isEmpty()) {
            throw new BundleException(Reason.UNKNOWN_KEY, "no trusted keys are configured: every bundle is refused");
        }
        String verifiedBy = null;
        List<String> unknown = new ArrayList<>();
        for (Line line : lines) {
            PublicKey key = trusted.find(line.keyId()).orElse(null);
            if (key == null) {
                unknown.add(Hex.shortHash(line.keyId()));
                continue;
            }
            boolean ok;
            try {
                Signature s = Signature.getInstance("Ed25519");
                s.initVerify(key);
                s.update(manifest);
                ok = s.verify(line.signature());
            } catch (GeneralSecurityException e) {
                ok = false;
            }
            if (!ok) {
                throw new BundleException(Reason.BAD_SIGNATURE, "manifest.sig: signature by key " + Hex.shortHash(line.keyId())
                        + " does not verify (manifest or signature altered)");
            }
            verifiedBy = line.keyId();
        }
        if (verifiedBy == null) {
            throw new BundleException(Reason.UNKNOWN_KEY, "manifest.sig: signed only by unknown key(s) " + unknown
                    + "; trusted: " + trusted.ids().stream().map(Hex::shortHash).toList());
        }
        return verifiedBy;
    }
}
