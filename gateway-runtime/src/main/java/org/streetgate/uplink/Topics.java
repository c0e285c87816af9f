package org.streetgate.uplink;

import org.streetgate.outbox.Kind;

/** The topic names of DESIGN §3.3, all under {@code {prefix}/{gatewayId}/}. */
public record Topics(String prefix, String gatewayId) {
    private String under(String leaf) {
        return prefix + "/" + gatewayId + "/" + leaf;
    }

    public String state() {
        return under("state");
    }

    public String health() {
        return under("health");
    }

    public String cmd() {
        return under("cmd");
    }

    public String of(Kind kind) {
        return under(kind.topic());
    }
}
