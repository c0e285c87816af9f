package org.streetgate.ota.slots;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.streetgate.ota.OtaException;
import org.streetgate.ota.bundle.Manifest;
import org.streetgate.ota.bundle.ManifestCodec;
import org.streetgate.ota.util.Durable;
import org.streetgate.ota.util.Faults;
import org.tinylog.Logger;

/**
 * The install root on disk (default /opt/streetgate), one filesystem so renames are atomic:
 * <pre>
 * releases/NAME/      extracted releases, each with .ota/manifest.json and .ota/manifest.sig
 * factory/            the release installed at provisioning; never deleted, last fallback
 * current -> releases/NAME     the release the launcher runs (relative symlink)
 * previous -> releases/NAME    the release to fall back to
 * staging/            extraction in progress; emptied by the boot check
 * downloads/          SHA.part while downloading, SHA.sgb once complete
 * state/ota.json      the state journal; state/ota.lock the install lock
 * </pre>
 * Releases are named relative to the root ("releases/1.2.0-c43-g17", "factory") in the journal.
 */
public record InstallRoot(Path dir) {
    public static final String FACTORY = "factory";

    public InstallRoot {
        dir = dir.toAbsolutePath().normalize();
    }

    public Path releases() {
        return dir.resolve("releases");
    }

    public Path staging() {
        return dir.resolve("staging");
    }

    public Path downloads() {
        return dir.resolve("downloads");
    }

    public Path stateDir() {
        return dir.resolve("state");
    }

    public Path current() {
        return dir.resolve("current");
    }

    public Path previous() {
        return dir.resolve("previous");
    }

    public Journal journal() {
        return new Journal(stateDir().resolve("ota.json"));
    }

    public Path lockFile() {
        return stateDir().resolve("ota.lock");
    }

    public void ensureLayout() {
        try {
            for (Path p : new Path[] {releases(), staging(), downloads(), stateDir()}) {
                Files.createDirectories(p);
            }
        } catch (IOException e) {
            throw new OtaException("cannot create the install root layout under " + dir + ": " + e.getMessage(), e);
        }
    }

    public Path resolve(String release) {
        return dir.resolve(release);
    }

    /** The release a link names, as a root-relative name, or empty when the link is missing. */
    public Optional<String> linkTarget(Path link) {
        if (!Files.isSymbolicLink(link)) {
            return Optional.empty();
        }
        try {
            Path target = Files.readSymbolicLink(link);
            Path abs = link.getParent().resolve(target).normalize();
            return Optional.of(dir.relativize(abs).toString());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** A release is complete once its manifest is in place: it is the last thing staging writes. */
    public boolean isComplete(String release) {
        return release != null && Files.isRegularFile(resolve(release).resolve(Manifest.META_DIR).resolve("manifest.json"),
                LinkOption.NOFOLLOW_LINKS);
    }

    public Manifest manifestOf(String release) {
        try {
            return ManifestCodec.fromJson(Files.readAllBytes(resolve(release).resolve(Manifest.META_DIR).resolve("manifest.json")));
        } catch (IOException e) {
            throw new OtaException("cannot read the manifest of " + release + ": " + e.getMessage(), e);
        }
    }

    /** The highest release counter known to be installed, and the version that carries it. */
    public record Floor(long counter, String version) {
    }

    /**
     * The anti-rollback floor: the journal's installed counter (already the maximum of both journal
     * copies) or the counter of any complete installed release, whichever is higher. Only the release
     * on trial is left out: it is not installed until it commits. A release nothing refers to any
     * more is removed by the next boot check; until then it counts, which errs on the refusing side.
     */
    public Floor counterFloor(OtaState s) {
        Floor floor = new Floor(s.installedCounter(), s.installedVersion());
        String onTrial = s.phase() == OtaState.Phase.TRIAL && s.trial() != null ? s.trial().release() : null;
        List<String> releases = new ArrayList<>();
        releases.add(FACTORY);
        if (Files.isDirectory(releases())) {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(releases())) {
                for (Path p : ds) {
                    releases.add(dir.relativize(p).toString());
                }
            } catch (IOException e) {
                throw new OtaException("cannot list " + releases() + ": " + e.getMessage(), e);
            }
        }
        for (String r : releases) {
            if (r.equals(onTrial) || !isComplete(r)) {
                continue;
            }
            try {
                Manifest m = manifestOf(r);
                if (m.releaseCounter() > floor.counter()) {
                    floor = new Floor(m.releaseCounter(), m.version());
                }
            } catch (OtaException e) {
                Logger.warn("OTA: cannot read the manifest of {} for the release counter: {}", r, e.getMessage());
            }
        }
        return floor;
    }

    /**
     * Point a link at a release: create LINK.tmp, rename it over LINK (rename(2) is atomic), fsync the
     * root. A crash leaves LINK old or new, never missing. No-op when it already points there.
     */
    public void point(Path link, String release) {
        if (release == null || linkTarget(link).filter(release::equals).isPresent()) {
            return;
        }
        try {
            Path tmp = link.resolveSibling(link.getFileName() + ".tmp");
            Files.deleteIfExists(tmp);
            Files.createSymbolicLink(tmp, Path.of(release));
            Files.move(tmp, link, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Durable.fsyncDir(dir);
        } catch (IOException e) {
            throw new OtaException("cannot point " + link.getFileName() + " at " + release + ": " + e.getMessage(), e);
        }
        Faults.point("link:" + link.getFileName());
    }

    /** Make the links say what the journal says. Idempotent; the boot check calls it on every start. */
    public void enforceLinks(OtaState s) {
        String current;
        String previous;
        if (s.phase() == OtaState.Phase.TRIAL && s.trial() != null) {
            current = s.trial().release();
            previous = s.active();
        } else if (s.phase() == OtaState.Phase.ROLLED_BACK && s.trial() != null) {
            current = s.trial().release();
            previous = isComplete(FACTORY) ? FACTORY : null;
        } else {
            current = s.active();
            previous = s.previous();
        }
        // previous first: at every instant one of the two links names a release that worked before.
        if (isComplete(previous) && !Objects.equals(previous, current)) {
            point(previous(), previous);
        }
        if (isComplete(current)) {
            point(current(), current);
        }
    }

    /** Delete releases nothing refers to, and anything left in staging/. Factory is never touched. */
    public void collectGarbage(OtaState s) {
        Set<String> keep = new HashSet<>();
        keep.add(s.active());
        keep.add(s.previous());
        if (s.trial() != null) {
            keep.add(s.trial().release());
        }
        linkTarget(current()).ifPresent(keep::add);
        linkTarget(previous()).ifPresent(keep::add);
        try {
            if (Files.isDirectory(releases())) {
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(releases())) {
                    for (Path p : ds) {
                        String name = dir.relativize(p).toString();
                        if (!keep.contains(name)) {
                            Logger.info("OTA: removing unused release {}", name);
                            Durable.deleteTree(p);
                        }
                    }
                }
                Durable.fsyncDir(releases());
            }
            if (Files.isDirectory(staging())) {
                try (DirectoryStream<Path> ds = Files.newDirectoryStream(staging())) {
                    for (Path p : ds) {
                        Durable.deleteTree(p);
                    }
                }
            }
            Files.deleteIfExists(current().resolveSibling("current.tmp"));
            Files.deleteIfExists(previous().resolveSibling("previous.tmp"));
        } catch (IOException e) {
            // Garbage costs space, not correctness: log and carry on.
            Logger.warn("OTA: could not clean up unused releases: {}", e.getMessage());
        }
    }
}
