package org.streetgate.outbox;

/** The streams the outbox keeps apart: each has its own table, topic and drain priority. */
public enum Kind {
    /** Command results and alarm-free events go out before any telemetry backlog. */
    RESULT("results", "cmd/result"),
    EVENT("events", "events"),
    TELEMETRY("telemetry", "telemetry");

    private final String table;
    private final String topic;

    Kind(String table, String topic) {
        this.table = table;
        this.topic = topic;
    }

    public String table() {
        return table;
    }

    /** The topic under {@code {prefix}/{gateway}/}. */
    public String topic() {
        return topic;
    }
}
