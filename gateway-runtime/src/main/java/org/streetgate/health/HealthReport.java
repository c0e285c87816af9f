package org.streetgate.health;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.streetgate.drivers.spi.DeviceStatus;
import org.streetgate.outbox.SqliteOutbox;
import org.streetgate.uplink.UplinkStats;

/** Builds the periodic {@code health} payload from the parts of a running gateway. */
public final class HealthReport {
    private final long startedNanos = System.nanoTime();
    private final SqliteOutbox outbox;
    private final java.util.function.Supplier<UplinkStats> uplink;
    private final Map<String, DeviceStatus> devices;
    private final LongSupplier clock;
    private final long maxBytes;
    private final Map<String, java.util.function.Supplier<Object>> sections = new java.util.concurrent.ConcurrentHashMap<>();

    public HealthReport(SqliteOutbox outbox, long maxBytes, java.util.function.Supplier<UplinkStats> uplink,
                        Map<String, DeviceStatus> devices, LongSupplier clock) {
        this.maxBytes = maxBytes;
        this.outbox = outbox;
        this.uplink = uplink;
        this.devices = devices;
        this.clock = clock;
    }

    /** Adds a section of its own to every report, e.g. {@code ota} or {@code kiosk}. */
    public void section(String name, java.util.function.Supplier<Object> content) {
        sections.put(name, content);
    }

    public Map<String, Object> snapshot() {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("ts", clock.getAsLong());
        h.put("uptime_s", (System.nanoTime() - startedNanos) / 1_000_000_000L);
        MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        h.put("heap_used_bytes", heap.getUsed());
        h.put("heap_max_bytes", heap.getMax());
        SqliteOutbox.Stats s = outbox.stats();
        Map<String, Object> buffer = new LinkedHashMap<>();
        buffer.put("rows", s.rows());
        buffer.put("bytes", s.bytes());
        buffer.put("max_bytes", maxBytes);
        buffer.put("file_bytes", s.fileBytes());
        s.rowsByKind().forEach((k, v) -> buffer.put(k.table() + "_rows", v));
        buffer.put("oldest_unsent_age_s", s.oldestTs() == 0 ? 0 : Math.max(0, (clock.getAsLong() - s.oldestTs()) / 1000));
        buffer.put("last_seq", s.lastSeq());
        Map<String, Object> evicted = new LinkedHashMap<>();
        s.evicted().forEach((k, v) -> evicted.put(k.table(), v));
        buffer.put("evicted", evicted);
        buffer.put("commit_failures", outbox.commitFailures());
        buffer.put("checkpoint_failures", outbox.checkpointFailures());
        h.put("buffer", buffer);
        UplinkStats u = uplink.get();
        Map<String, Object> up = new LinkedHashMap<>();
        up.put("connected", u.connected());
        up.put("published_records", u.recordsPublished());
        up.put("published_messages", u.messagesPublished());
        up.put("publish_rate_records_s", Math.round(u.recordsPerSecond() * 10) / 10.0);
        if (u.lastSyncMillis() > 0) {
            up.put("last_sync_ts", u.lastSyncMillis());
        }
        if (u.lastError() != null) {
            up.put("last_error", u.lastError());
        }
        up.put("protocol", u.protocol());
        up.put("connects", u.connects());
        up.put("stalls", u.stalls());
        u.granted().ifPresent(g -> {
            up.put("broker_receive_maximum", g.receiveMaximum());
            up.put("keep_alive_s", g.keepAlive().toSeconds());
        });
        up.put("received_messages", u.received());
        up.put("received_largest_bytes", u.receivedLargestBytes());
        if (!u.refused().isEmpty()) {
            // What the broker refuses (MQTT 5 PUBACK reason >= 0x80): those records wait in the buffer.
            java.util.List<Map<String, Object>> refused = new java.util.ArrayList<>();
            u.refused().forEach(r -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("topic", r.topic());
                m.put("code", r.codeHex());
                m.put("reason", r.reason());
                m.put("count", r.count());
                m.put("since_ts", r.sinceMillis());
                refused.add(m);
            });
            up.put("refused", refused);
            if (u.alarmBlocked()) {
                up.put("refused_alarm", "not delivered: the events topic itself is refused");
            }
        }
        h.put("uplink", up);
        Map<String, Object> devs = new LinkedHashMap<>();
        devices.forEach((id, status) -> {
            DeviceStatus.Snapshot d = status.snapshot();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("status", d.state() == DeviceStatus.State.STARTING ? "offline" : d.state().wire());
            if (d.lastError() != null) {
                m.put("last_error", d.lastError());
            }
            if (!d.counters().isEmpty()) {
                m.put("counters", d.counters());
            }
            devs.put(id, m);
        });
        h.put("devices", devs);
        sections.forEach((name, content) -> h.put(name, content.get()));
        return h;
    }
}
