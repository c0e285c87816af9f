package org.streetgate.ota;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.streetgate.ota.download.Downloader;

/**
 * A stand-in for the gateway JVM, run as a subprocess by the crash tests. Modes:
 * <ul>
 * <li>{@code ROOT TRUST run}: start the agent, then do what the running release's conf/behaviour
 *     says: {@code healthy} confirms, {@code unhealthy} reports failure, {@code crash} halts with
 *     status 3 before confirming (a release that dies at start);</li>
 * <li>{@code ROOT TRUST offer URL SHA SIZE VERSION}: download and install an offer.</li>
 * </ul>
 * Events are printed as {@code event ...} lines for the test to read.
 */
public final class FakeGateway {
    public static final int CRASH_STATUS = 3;

    private FakeGateway() {
    }

    private static boolean isDownloading(Path root) {
        var phase = new org.streetgate.ota.slots.InstallRoot(root).journal().load().phase();
        return switch (phase) {
            case DOWNLOADING, VERIFIED, STAGED -> true;
            default -> false;
        };
    }

    public static void main(String[] args) throws Exception {
        Path root = Path.of(args[0]);
        UpdateAgent.Options options = UpdateAgent.Options.defaults().withDownload(
                new Downloader.Settings(4, Duration.ofMillis(10), Duration.ofMillis(40), 0, Duration.ofSeconds(10)))
                .withHealthDeadline(Duration.ofSeconds(1)).withRestartGrace(Duration.ofMillis(500))
                .withAllowedHosts(List.of("127.0.0.1"));
        // Counted down when a resumed install ends either way (staged or failed).
        CountDownLatch installEnded = new CountDownLatch(1);
        try (UpdateAgent agent = new UpdateAgent(root, List.of(args[1]), TestBundles.MODEL, "1.0.0", e -> {
            System.out.println("event " + e);
            if (e instanceof OtaEvent.RestartRequired || e instanceof OtaEvent.Failed) {
                installEnded.countDown();
            }
        }, options)) {
            agent.start();
            switch (args[2]) {
                case "run" -> {
                    // A download interrupted by the last crash resumes in the background: let it finish.
                    if (isDownloading(root) && !installEnded.await(20, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("the resumed download did not end within 20 s");
                    }
                    String behaviour = Files.readString(root.resolve("current/conf/behaviour")).strip();
                    switch (behaviour) {
                        case "healthy" -> agent.confirmHealthy();
                        case "unhealthy" -> agent.reportUnhealthy("outbox not writable");
                        case "hang" -> new CountDownLatch(1).await(); // deadlocked: never confirms, never exits (the agent halts it)
                        default -> {
                            System.out.flush();
                            Runtime.getRuntime().halt(CRASH_STATUS);
                        }
                    }
                }
                case "offer" -> agent.offer(new Offer(URI.create(args[3]), args[4], Long.parseLong(args[5]), args[6])).get();
                default -> throw new IllegalArgumentException(args[2]);
            }
        }
        System.out.flush();
        System.exit(0);
    }
}
