package org.streetgate.command;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.streetgate.drivers.spi.Command;
import org.streetgate.drivers.spi.CommandException;
import org.streetgate.outbox.RecordJson;
import org.tinylog.Logger;

/**
 * Validates each {@code cmd}, executes it at most once on its target, and hands the result on.
 * Order of checks: size, JSON, schema, duplicate id, expiry, target, then execution.
 */
public final class CommandRouter {
    public static final int MAX_COMMAND_BYTES = 64 * 1024;
    private static final java.util.Set<String> FIELDS = java.util.Set.of("id", "device", "action", "args", "expires", "gateway");
    private static final java.util.regex.Pattern SAFE_ID = java.util.regex.Pattern.compile("[\\x21-\\x7e]{1,128}");

    private final Map<String, CommandTarget> targets = new ConcurrentHashMap<>();
    private final CommandLog log;
    private final LongSupplier clock;
    private final Consumer<CommandResult> results;
    private final CommandSecurity security;

    /** A router that takes unsigned commands only (tests of the parts that do not care). */
    public CommandRouter(CommandLog log, LongSupplier clock, Consumer<CommandResult> results) {
        this(log, clock, results, new CommandSecurity(CommandSecurity.Settings.none(), "", clock, () -> true, () -> 0));
    }

    /**
     * @param clock    wall-clock millis for {@code expires}
     * @param results  where outcomes go (the outbox, towards {@code cmd/result})
     * @param security the trusted keys and which actions need a signature
     */
    public CommandRouter(CommandLog log, LongSupplier clock, Consumer<CommandResult> results, CommandSecurity security) {
        this.log = log;
        this.clock = clock;
        this.results = results;
        this.security = security;
    }

    public void register(String device, CommandTarget target) {
        if (targets.putIfAbsent(device, target) != null) {
            throw new IllegalArgumentException("two command targets named " + device);
        }
    }

    /** Handles one raw {@code cmd} payload; the outcome goes to the results consumer. */
    public void handle(byte[] payload) {
        CommandResult result;
        try {
            result = run(payload);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        results.accept(result);
    }

    CommandResult run(byte[] payload) throws InterruptedException {
        if (payload.length > MAX_COMMAND_BYTES) {
            return CommandResult.rejected(null, "command too large: " + payload.length + " bytes (limit " + MAX_COMMAND_BYTES + ")");
        }
        byte[] json = payload;
        CommandSecurity.Signer signer = null;
        if (Jws.looksLikeJws(payload)) {
            Jws.Parsed jws;
            try {
                jws = Jws.parse(payload);
            } catch (Jws.MalformedException e) {
                return CommandResult.rejected(null, "bad signature: " + e.getMessage());
            }
            switch (security.verify(jws)) {
                case CommandSecurity.Result.Ok<CommandSecurity.Verified>(CommandSecurity.Verified v) -> {
                    json = v.payload();
                    signer = v.signer();
                }
                case CommandSecurity.Result.Refused<CommandSecurity.Verified>(String reason) -> {
                    Logger.warn("cmd refused: {}", reason);
                    return CommandResult.rejected(unverifiedId(jws.payload()), reason);
                }
            }
        }
        JsonNode root;
        try {
            root = RecordJson.strictMapper().readTree(new String(json, StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            return CommandResult.rejected(null, "command is not valid JSON" + (e.getMessage() != null
                    && e.getMessage().startsWith("Duplicate field") ? ": a field appears twice" : ""));
        }
        if (root == null || !root.isObject()) {
            return CommandResult.rejected(null, "command must be a JSON object");
        }
        JsonNode idNode = root.get("id");
        String id = idNode != null && idNode.isTextual() ? idNode.asText() : null;
        if (id == null || !SAFE_ID.matcher(id).matches()) {
            return CommandResult.rejected(null, "'id' must be 1 to 128 printable ASCII characters without spaces");
        }
        Optional<String> problem = schemaProblem((ObjectNode) root);
        if (problem.isPresent()) {
            return CommandResult.rejected(id, problem.get());
        }
        Optional<String> refusal = authorize(root, signer);
        if (refusal.isPresent()) {
            Logger.warn("cmd {}: {} {} refused: {}", id, root.get("device").asText(), root.get("action").asText(), refusal.get());
            return CommandResult.rejected(id, refusal.get());
        }
        Optional<CommandResult> earlier = log.begin(id, clock.getAsLong());
        if (earlier.isPresent()) {
            Logger.info("cmd {}: duplicate, not executed again", id);
            return earlier.get();
        }
        CommandResult outcome = execute(id, root);
        log.finish(outcome);
        return outcome;
    }

    /** Signature policy and, for a signed command, gateway, key scope and expiry. Empty when it may run. */
    private Optional<String> authorize(JsonNode root, CommandSecurity.Signer signer) {
        String device = root.get("device").asText();
        String action = root.get("action").asText();
        JsonNode gateway = root.get("gateway");
        if (signer != null) {
            JsonNode expires = root.get("expires");
            return security.checkSigned(signer, gateway == null ? null : gateway.asText(), device, action,
                    expires == null ? null : expires.asLong());
        }
        if (gateway != null) {
            Optional<String> wrong = security.checkGateway(gateway.asText());
            if (wrong.isPresent()) {
                return wrong;
            }
        }
        if (security.needsSignature(device, action)) {
            return Optional.of("signature required: " + device + " " + action
                    + " is an actuation and this gateway has security.command-keys (send it as a JWS, docs/mqtt.md)");
        }
        return Optional.empty();
    }

    /** The id of a payload whose signature failed, to correlate the rejection; only if it is harmless text. */
    private static String unverifiedId(byte[] payload) {
        try {
            JsonNode id = RecordJson.strictMapper().readTree(payload).get("id");
            return id != null && id.isTextual() && SAFE_ID.matcher(id.asText()).matches() ? id.asText() : null;
        } catch (java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    private CommandResult execute(String id, JsonNode root) throws InterruptedException {
        String device = root.get("device").asText();
        String action = root.get("action").asText();
        JsonNode expires = root.get("expires");
        if (expires != null && expires.asLong() < clock.getAsLong()) {
            Logger.info("cmd {}: {} {} expired, not executed", id, device, action);
            return CommandResult.expired(id);
        }
        CommandTarget target = targets.get(device);
        if (target == null) {
            return CommandResult.rejected(id, "unknown device '" + device + "'");
        }
        Map<String, Object> args = root.has("args")
                ? RecordJson.mapper().convertValue(root.get("args"), LinkedHashMapType.INSTANCE)
                : Map.of();
        Logger.info("cmd {}: {} {}", id, device, action);
        try {
            Map<String, Object> r = target.execute(new Command(id, device, action, args));
            return CommandResult.ok(id, r == null ? Map.of() : r);
        } catch (CommandException e) {
            return switch (e.kind()) {
                case UNKNOWN_ACTION, BAD_ARGUMENT, REFUSED -> CommandResult.rejected(id, e.getMessage());
                case FAILED -> CommandResult.error(id, e.getMessage());
            };
        } catch (RuntimeException e) {
            Logger.error(e, "cmd {}: {} {} failed", id, device, action);
            return CommandResult.error(id, "failed: " + e.getMessage());
        }
    }

    private static Optional<String> schemaProblem(ObjectNode root) {
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!FIELDS.contains(f)) {
                return Optional.of("unknown field '" + f + "'");
            }
        }
        for (String f : new String[] {"device", "action"}) {
            JsonNode n = root.get(f);
            if (n == null || !n.isTextual() || n.asText().isEmpty()) {
                return Optional.of("'" + f + "' must be non-empty text");
            }
        }
        JsonNode args = root.get("args");
        if (args != null && !args.isObject()) {
            return Optional.of("'args' must be a JSON object");
        }
        JsonNode expires = root.get("expires");
        if (expires != null && !(expires.isIntegralNumber() && expires.canConvertToLong())) {
            return Optional.of("'expires' must be milliseconds since the epoch");
        }
        JsonNode gateway = root.get("gateway");
        if (gateway != null && !gateway.isTextual()) {
            return Optional.of("'gateway' must be text");
        }
        return Optional.empty();
    }

    private static final class LinkedHashMapType extends com.fasterxml.jackson.core.type.TypeReference<LinkedHashMap<String, Object>> {
        static final LinkedHashMapType INSTANCE = new LinkedHashMapType();
    }
}
