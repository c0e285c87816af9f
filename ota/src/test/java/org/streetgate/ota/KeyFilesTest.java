package org.streetgate.ota;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.streetgate.ota.keys.KeyFiles;
import org.streetgate.ota.keys.TrustedKeys;
import org.streetgate.ota.util.Hex;

class KeyFilesTest {
    @TempDir
    Path tmp;

    @Test
    void keygen_writes_private_key_readable_by_owner_only() throws Exception {
        KeyFiles.GeneratedKey k = KeyFiles.generate(tmp.resolve("release"));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(k.privateKey())));
        assertTrue(Files.readString(k.privateKey()).startsWith("-----BEGIN PRIVATE KEY-----"));
        assertTrue(Files.readString(k.publicKey()).startsWith("-----BEGIN PUBLIC KEY-----"));
        assertEquals("EdDSA", KeyFiles.readPrivate(k.privateKey()).getAlgorithm());
    }

    @Test
    void key_id_is_the_sha256_of_the_spki_bytes() {
        KeyFiles.GeneratedKey k = KeyFiles.generate(tmp.resolve("release"));
        byte[] spki = KeyFiles.readPublicSpki(k.publicKey());
        assertEquals(Hex.sha256(spki), k.keyId());
        assertEquals(Base64.getEncoder().encodeToString(spki), k.spkiBase64());
    }

    @Test
    void keygen_refuses_to_overwrite_an_existing_key() {
        KeyFiles.generate(tmp.resolve("release"));
        BundleException e = assertThrows(BundleException.class, () -> KeyFiles.generate(tmp.resolve("release")));
        assertTrue(e.getMessage().contains("refusing to overwrite"), e.getMessage());
    }

    @Test
    void trusted_keys_accept_pub_files_and_base64_spki_together() {
        KeyFiles.GeneratedKey a = KeyFiles.generate(tmp.resolve("a"));
        KeyFiles.GeneratedKey b = KeyFiles.generate(tmp.resolve("b"));
        TrustedKeys keys = TrustedKeys.parse(List.of(a.publicKey().toString(), b.spkiBase64()));
        assertEquals(List.of(a.keyId(), b.keyId()), keys.ids());
        assertTrue(keys.find(b.keyId()).isPresent());
    }

    @Test
    void trusted_key_that_is_not_a_key_is_an_error_naming_it() {
        BundleException e = assertThrows(BundleException.class, () -> TrustedKeys.parse(List.of("not-a-key!!")));
        assertTrue(e.getMessage().contains("not-a-key!!"), e.getMessage());
    }
}
