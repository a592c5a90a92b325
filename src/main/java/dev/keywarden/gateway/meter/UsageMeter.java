package dev.keywarden.gateway.meter;

import dev.keywarden.pipeline.Usage;
import java.nio.ByteBuffer;

/**
 * Reads token usage from a response body while the body is forwarded, without changing it.
 *
 * <p>Guarantee: {@link #feed} never modifies the buffer's content, position or limit, so the
 * caller can forward the very same buffer afterwards. A meter never throws on malformed input;
 * it reports what it could read. Not thread-safe: one meter per response, fed in order.
 */
public interface UsageMeter {

    /** Offers the next chunk of the response body (in arrival order). */
    void feed(ByteBuffer chunk);

    /** Called once after the last chunk; returns the usage read so far (never null). */
    Usage finish();

    /**
     * The Anthropic {@code error.type} the body reported (an error JSON body, or an SSE
     * {@code event: error}), or null when it reported none.
     */
    default String errorType() {
        return null;
    }
}
