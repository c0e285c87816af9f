package org.streetgate.ota.slots;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.streetgate.ota.OtaException;
import org.streetgate.ota.util.Durable;
import org.streetgate.ota.util.Faults;
import org.tinylog.Logger;

/**
 * The state journal: state/ota.json written tmp, fsync, rename, fsync dir, so it is always either the
 * old or the new state. A copy of the previous content is kept in ota.json.prev; if the journal is
 * ever unreadable (a filesystem that lies about fsync), that copy is used rather than forgetting the
 * anti-rollback counter.
 */
public final class Journal {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(SerializationFeature.INDENT_OUTPUT);

    private final Path file;
    private final Path backup;

    public Journal(Path file) {
        this.file = file;
        this.backup = file.resolveSibling(file.getFileName() + ".prev");
    }

    /**
     * The journal, or its previous copy when the journal is missing or unreadable. The installed release
     * counter is the highest of both copies: losing (or damaging) one file never lowers the anti-rollback
     * floor. {@link InstallRoot#counterFloor} adds the installed releases' own manifests.
     */
    public OtaState load() {
        Optional<OtaState> main = read(file);
        Optional<OtaState> prev = read(backup);
        if (main.isEmpty() && prev.isPresent()) {
            Logger.error("OTA journal {} is missing or unreadable; using its previous copy {}", file, backup);
        }
        OtaState s = main.or(() -> prev).orElseGet(OtaState::initial);
        for (OtaState copy : List.of(main, prev).stream().flatMap(Optional::stream).toList()) {
            if (copy.installedCounter() > s.installedCounter()) {
                s = s.withInstalled(copy.installedCounter(), copy.installedVersion());
            }
        }
        return s;
    }

    private static Optional<OtaState> read(Path p) {
        try {
            return Optional.of(MAPPER.readValue(Files.readAllBytes(p), OtaState.class));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            Logger.error("OTA journal {} is unreadable ({})", p, e.getMessage());
            return Optional.empty();
        }
    }

    private static boolean parses(byte[] json) {
        try {
            MAPPER.readValue(json, OtaState.class);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Persist {@code state} with the next generation and return what was written. */
    public OtaState save(OtaState state) {
        OtaState next = state.withGeneration(state.generation() + 1);
        try {
            Files.createDirectories(file.getParent());
            if (Files.exists(file)) {
                byte[] current = Files.readAllBytes(file);
                if (parses(current)) { // never replace a good backup with a damaged journal
                    Durable.writeAtomically(backup, current);
                }
            }
            Durable.writeAtomically(file, MAPPER.writeValueAsBytes(next));
        } catch (IOException e) {
            throw new OtaException("cannot write the OTA journal " + file + ": " + e.getMessage(), e);
        }
        Faults.point("journal:" + next.phase());
        return next;
    }
}
