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
        this.dispatcher = Thread.ofVirtual().name("cmd-dispatch").start(this::dispatchLoop);
    }

    /** Commands waiting to be read; past this a flood is answered without being read. */
    public static final int INBOX = 256;
    /** Per source: a burst of this many, then {@link #RATE_PER_SECOND}. */
    public static final int RATE_BURST = 50;
    public static final double RATE_PER_SECOND = 10;

    private final java.util.concurrent.BlockingQueue<Inbound> inbox = new java.util.concurrent.ArrayBlockingQueue<>(INBOX);
    private final Map<String, java.util.concurrent.ExecutorService> lanes = new ConcurrentHashMap<>();
    private final Map<String, double[]> buckets = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicLong received = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong rateLimited = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicLong queueFull = new java.util.concurrent.atomic.AtomicLong();
    private final Thread dispatcher;

    private record Inbound(String source, byte[] payload) {}

    /** What a command became after its checks: an answer now, or work for its device's lane. */
    private sealed interface Step {
        record Answer(CommandResult result) implements Step {}

        /** @param signed a verified signature already judged its expiry (with the profile's unsynced grace) */
        record Run(String id, String device, JsonNode root, boolean signed) implements Step {}
    }

    /** Counters for health: every command is counted, and none is dropped without an answer. */
    public Map<String, Object> stats() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("received", received.get());
        m.put("rate_limited", rateLimited.get());
        m.put("queue_full", queueFull.get());
        m.put("waiting", inbox.size());
        m.put("log_rows", log.rows());
        m.put("log_pruned", log.pruned());
        return m;
    }

    /** Forgets command ids the log no longer needs (past their expiry plus a margin); see {@link CommandLog#prune}. */
    public int prune() {
        return log.prune(clock.getAsLong());
    }

    /** Stops taking commands; what is running on a device finishes. */
    public void close() {
        dispatcher.interrupt();
        lanes.values().forEach(java.util.concurrent.ExecutorService::shutdown);
    }

    public void register(String device, CommandTarget target) {
        if (targets.putIfAbsent(device, target) != null) {
            throw new IllegalArgumentException("two command targets named " + device);
        }
    }

    /** Queues one raw {@code cmd} payload; never blocks the caller (the MQTT client's thread). */
    public void handle(byte[] payload) {
        handle("cmd", payload);
    }

    /**
     * Queues one raw payload from {@code source} (a topic or dialect). Commands for one device run
     * in the order they arrived, one at a time; different devices run side by side. The outcome
     * goes to the results consumer.
     */
    public void handle(String source, byte[] payload) {
        received.incrementAndGet();
        if (!inbox.offer(new Inbound(source, payload))) {
            queueFull.incrementAndGet();
            results.accept(CommandResult.rejected(null, "too many commands waiting (" + INBOX + "): not read; send it again"));
        }
    }

    private void dispatchLoop() {
        while (true) {
            Inbound in;
            try {
                in = inbox.take();
            } catch (InterruptedException e) {
                return;
            }
            try {
                if (!takeToken(in.source())) {
                    rateLimited.incrementAndGet();
                    results.accept(CommandResult.rejected(null, "rate limited: more than " + (int) RATE_PER_SECOND
                            + " commands/s from " + in.source() + "; not read"));
                    continue;
                }
                switch (prepare(in.payload())) {
                    case Step.Answer(CommandResult r) -> results.accept(r);
                    case Step.Run run -> lanes.computeIfAbsent(run.device(),
                                    d -> java.util.concurrent.Executors.newSingleThreadExecutor(Thread.ofVirtual().name("cmd-" + d).factory()))
                            .execute(() -> {
                                try {
                                    results.accept(finish(run));
                                } catch (InterruptedException e) {
                                    Thread.currentThread().interrupt();
                                }
                            });
                }
            } catch (RuntimeException e) {
                // Never let one command end the dispatcher: answer it and go on.
                Logger.error(e, "cmd: dispatch failed: {}", e.getMessage());
                results.accept(CommandResult.error(null, "failed: " + e.getMessage()));
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** A token bucket per source, on the injected clock. */
    private boolean takeToken(String source) {
        long now = clock.getAsLong();
        double[] b = buckets.computeIfAbsent(source, k -> new double[] {RATE_BURST, now});
        synchronized (b) {
            b[0] = Math.min(RATE_BURST, b[0] + Math.max(0, now - (long) b[1]) * RATE_PER_SECOND / 1000.0);
            b[1] = now;
            if (b[0] < 1) {
                return false;
            }
            b[0] -= 1;
            return true;
        }
    }

    /** Checks and runs one command on the calling thread (tests, and the building block of the lanes). */
    CommandResult run(byte[] payload) throws InterruptedException {
        return switch (prepare(payload)) {
            case Step.Answer(CommandResult r) -> r;
            case Step.Run run -> finish(run);
        };
    }

    /** In the device's lane: a re-delivery is answered from the log, in its place behind the first. */
    private CommandResult finish(Step.Run run) throws InterruptedException {
        Optional<CommandResult> earlier = log.begin(run.id(), clock.getAsLong());
        if (earlier.isPresent()) {
            Logger.info("cmd {}: duplicate, not executed again", run.id());
            return earlier.get();
        }
        CommandResult outcome = execute(run.id(), run.root(), run.signed());
        log.finish(outcome);
        return outcome;
    }

    private Step prepare(byte[] payload) throws InterruptedException {
        if (payload.length > MAX_COMMAND_BYTES) {
            return answer(CommandResult.rejected(null, "command too large: " + payload.length + " bytes (limit " + MAX_COMMAND_BYTES + ")"));
        }
        byte[] json = payload;
        CommandSecurity.Signer signer = null;
        if (Jws.looksLikeJws(payload)) {
            Jws.Parsed jws;
            try {
                jws = Jws.parse(payload);
            } catch (Jws.MalformedException e) {
                return answer(CommandResult.rejected(null, "bad signature: " + e.getMessage()));
            }
            switch (security.verify(jws)) {
                case CommandSecurity.Result.Ok<CommandSecurity.Verified>(CommandSecurity.Verified v) -> {
                    json = v.payload();
                    signer = v.signer();
                }
                case CommandSecurity.Result.Refused<CommandSecurity.Verified>(String reason) -> {
                    Logger.warn("cmd refused: {}", reason);
                    return answer(CommandResult.rejected(unverifiedId(jws.payload()), reason));
                }
            }
        }
        JsonNode root;
        try {
            root = RecordJson.strictMapper().readTree(new String(json, StandardCharsets.UTF_8));
        } catch (java.io.IOException e) {
            return answer(CommandResult.rejected(null, "command is not valid JSON" + (e.getMessage() != null
                    && e.getMessage().startsWith("Duplicate field") ? ": a field appears twice" : "")));
        }
        if (root == null || !root.isObject()) {
            return answer(CommandResult.rejected(null, "command must be a JSON object"));
        }
        JsonNode idNode = root.get("id");
        String id = idNode != null && idNode.isTextual() ? idNode.asText() : null;
        if (id == null || !SAFE_ID.matcher(id).matches()) {
            return answer(CommandResult.rejected(null, "'id' must be 1 to 128 printable ASCII characters without spaces"));
        }
        Optional<String> problem = schemaProblem((ObjectNode) root);
        if (problem.isPresent()) {
            return answer(CommandResult.rejected(id, problem.get()));
        }
        Optional<String> refusal = authorize(root, signer);
        if (refusal.isPresent()) {
            Logger.warn("cmd {}: {} {} refused: {}", id, root.get("device").asText(), root.get("action").asText(), refusal.get());
            return answer(CommandResult.rejected(id, refusal.get()));
        }
        return new Step.Run(id, root.get("device").asText(), root, signer != null);
    }

    private static Step answer(CommandResult r) {
        return new Step.Answer(r);
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

    private CommandResult execute(String id, JsonNode root, boolean signed) throws InterruptedException {
        String device = root.get("device").asText();
        String action = root.get("action").asText();
        JsonNode expires = root.get("expires");
        if (expires != null && !signed && !security.clockSynced()) {
            // A Pi that booted offline thinks it is 1970: every expiry would look far off.
            Logger.info("cmd {}: {} {} carries expires and the clock is unsynced: not executed", id, device, action);
            return CommandResult.rejected(id, "clock unsynced: 'expires' cannot be judged until the clock is set; not executed");
        }
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
            // Like the id, they reach log lines before the target is known: no line breaks, no forged lines.
            if (!SAFE_ID.matcher(n.asText()).matches()) {
                return Optional.of("'" + f + "' must be 1 to 128 printable ASCII characters without spaces");
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
