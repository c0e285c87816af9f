package org.streetgate.uplink;

/** What the uplink has done since start, for the console summary and {@code health}. */
/** @param lastSyncMillis wall-clock time of the last PUBACK, 0 before the first */
public record UplinkStats(boolean connected, long messagesPublished, long recordsPublished, long connects,
                          long connectFailures, String lastError, double recordsPerSecond, long lastSyncMillis) {}
