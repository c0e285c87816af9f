package org.streetgate.update;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.streetgate.command.CommandTarget;
import org.streetgate.drivers.spi.Command;
import org.streetgate.drivers.spi.CommandException;
import org.streetgate.drivers.spi.Message;
import org.streetgate.ota.BundleException;
import org.streetgate.ota.BusyException;
import org.streetgate.ota.Offer;
import org.streetgate.ota.OtaEvent;
import org.streetgate.ota.OtaException;
import org.streetgate.ota.UpdateAgent;
import org.streetgate.profile.Profile;
import org.tinylog.Logger;

/**
 * The runtime's side of updates: the {@code ota} command target (offer, status), the agent's events
 * into the outbox, the technician push endpoint and the USB watch, and the health-gated commit of a
 * trial release once the gateway has proven itself.
 */
public final class UpdateService implements CommandTarget, AutoCloseable {
    private final UpdateAgent agent;
    private final Runnable restart;

    /**
     * @param events  where agent events go (the outbox, durably)
     * @param restart called when a staged release needs the gateway to exit so the boot check runs it
     */
    public UpdateService(Profile.Updates settings, String model, String version, Consumer<Message.Event> events,
                         Runnable restart) {
        this.restart = restart;
        UpdateAgent.Options options = UpdateAgent.Options.defaults().withHealthDeadline(settings.healthDeadline())
                .withAllowedHosts(settings.allowedHosts())
                .withPush(org.streetgate.ota.push.PushEndpoint.Limits.defaults().withNonLoopbackAllowed(settings.pushAllowRemote()));
        if (settings.allowedHosts().isEmpty()) {
            Logger.warn("ota: no ota.allowed-hosts in the profile, so every update offer over MQTT is refused");
        }
        if (settings.pushAllowRemote()) {
            Logger.warn("ota: the technician push endpoint may bind {} (ota.push.allow-remote): it is reachable from the network",
                    settings.pushBind());
        }
        this.agent = new UpdateAgent(settings.root(), settings.trustedKeys(), model, version, event -> {
            events.accept(new Message.Event("ota", event.type(),
                    Message.Severity.valueOf(event.severity().toUpperCase(java.util.Locale.ROOT)), event.data()));
            if (event instanceof OtaEvent.RestartRequired r) {
                Logger.info("update {} staged as {}: restarting into it", r.version(), r.release());
                Thread.ofVirtual().start(this.restart);
            }
        }, options);
        agent.start();
        settings.pushTokenFile().ifPresent(file -> {
            String token = readToken(file);
            agent.startPushEndpoint(new InetSocketAddress(settings.pushBind(), settings.pushPort()), token);
            Logger.info("ota: technician push endpoint on {}:{}", settings.pushBind(), settings.pushPort());
        });
        settings.watch().ifPresent(dir -> {
            agent.watchDirectory(dir);
            Logger.info("ota: watching {} for update bundles", dir);
        });
    }

    private static String readToken(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the ota push token-file " + file + ": " + e.getMessage(), e);
        }
    }

    /** The gateway is up (profile loaded, drivers started, outbox writable): a trial release may commit. */
    public void healthy() {
        agent.confirmHealthy();
    }

    public void unhealthy(String reason) {
        agent.reportUnhealthy(reason);
    }

    public Map<String, Object> status() {
        UpdateAgent.Status s = agent.status();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("state", s.state());
        m.put("current", s.current());
        m.put("installed_version", s.installedVersion());
        m.put("installed_counter", s.installedCounter());
        m.put("on_trial", s.onTrial());
        m.put("last_failure", s.lastFailure());
        m.values().removeIf(java.util.Objects::isNull);
        return m;
    }

    @Override
    public Map<String, Object> execute(Command command) {
        return switch (command.action()) {
            case "offer" -> {
                try {
                    Offer offer = Offer.fromArgs(command.args());
                    agent.offer(offer);
                    yield Map.of("accepted", true, "version", offer.version());
                } catch (BusyException e) {
                    throw new CommandException(CommandException.Kind.FAILED, e.getMessage(), e);
                } catch (BundleException e) {
                    throw new CommandException(CommandException.Kind.BAD_ARGUMENT, e.getMessage(), e);
                } catch (OtaException e) {
                    throw new CommandException(CommandException.Kind.FAILED, e.getMessage(), e);
                }
            }
            case "status" -> status();
            default -> throw CommandException.unknownAction(command.device(), command.action());
        };
    }

    @Override
    public void close() {
        agent.close();
    }
}
