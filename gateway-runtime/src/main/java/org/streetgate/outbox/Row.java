package org.streetgate.outbox;

/**
 * One stored record: {@code body} is the record's JSON after its seq and ts, e.g.
 * {@code "device":"air-1","metrics":{"pm2_5_ug_m3":12}}}; see {@link RecordJson}.
 */
public record Row(long seq, long ts, boolean unsynced, String body) {}
