package dev.keywarden.pipeline;

import java.nio.ByteBuffer;

/**
 * Inspects (and when redacting, rewrites) one successful upstream response body on its way to
 * the client. Fed the body's chunks in order; returns what to send instead of each.
 */
public interface ResponseFilter {

    /**
     * Returns the bytes to send for {@code chunk}: {@code chunk} itself when it passes unchanged, or
     * another buffer (possibly empty). Must not keep {@code chunk} after returning.
     */
    ByteBuffer onChunk(ByteBuffer chunk);

    /** The body ended: the bytes still to send (possibly empty). */
    ByteBuffer finish();

    /** True when the body is held until its end (so headers can still carry the decision). */
    boolean holdsWholeBody();

    /** True when the filter may change the body's length (the relay then drops Content-Length). */
    boolean rewrites();
}
