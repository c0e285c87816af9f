package org.streetgate.ota.util;

import java.net.URI;

/**
 * Offer URLs may carry credentials (user:pass@host, a signed-URL token in the query). They are needed
 * to download and are kept in the journal to resume, but never written to a log or an event: every
 * place that shows a URL shows {@link #url(URI)}.
 */
public final class Redact {
    private Redact() {
    }

    /** The URL with its user info replaced by {@code ***} and every query value by {@code ***}; no fragment. */
    public static String url(URI u) {
        if (u == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder();
        if (u.getScheme() != null) {
            b.append(u.getScheme()).append("://");
        }
        if (u.getRawUserInfo() != null) {
            b.append("***@");
        }
        if (u.getHost() != null) {
            b.append(u.getHost());
        }
        if (u.getPort() >= 0) {
            b.append(':').append(u.getPort());
        }
        if (u.getRawPath() != null) {
            b.append(u.getRawPath());
        }
        String q = u.getRawQuery();
        if (q != null) {
            b.append('?');
            String[] params = q.split("&", -1);
            for (int i = 0; i < params.length; i++) {
                int eq = params[i].indexOf('=');
                b.append(i > 0 ? "&" : "").append(eq < 0 ? "***" : params[i].substring(0, eq) + "=***");
            }
        }
        return b.toString();
    }

    /** {@code message} with every spelling of {@code u} and its secrets replaced (for exception texts from libraries). */
    public static String message(String message, URI u) {
        if (message == null || u == null) {
            return message;
        }
        String out = message.replace(u.toString(), url(u));
        if (u.getRawUserInfo() != null) {
            out = out.replace(u.getRawUserInfo(), "***");
        }
        if (u.getRawQuery() != null) {
            out = out.replace(u.getRawQuery(), url(u).substring(url(u).indexOf('?') + 1));
        }
        return out;
    }
}
