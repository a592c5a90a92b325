package dev.keywarden.pipeline;

/**
 * What later pipeline stages need to know about a request body, read once without changing it.
 *
 * @param model     top-level {@code model}, or null
 * @param stream    top-level {@code "stream": true}
 * @param maxTokens top-level {@code max_tokens}, or -1 when absent
 * @param bodyBytes size of the body as received
 */
public record RequestSummary(String model, boolean stream, long maxTokens, int bodyBytes) {
    public static final RequestSummary EMPTY = new RequestSummary(null, false, -1, 0);
}
