package dev.keywarden.admin;

import java.util.Objects;

/**
 * An admin operation's result sent as-is instead of as JSON (e.g. Prometheus text on
 * {@code GET /metrics}). The body is written verbatim with {@code contentType}.
 */
public record PlainText(String contentType, String body) {
    public PlainText {
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(body, "body");
    }
}
