package dev.keywarden.pipeline;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * Where one call's response goes: the HTTP response of the proxy listener, or the writer of another
 * entry point (an event stream of a web endpoint, a test's collector). The {@link Pipeline} and the
 * upstream relay write only through it, and complete its {@link #done()} callback exactly once: by
 * passing it to the last write, or by failing it when the response must not be taken for complete
 * (the client then sees a cut connection, never a whole answer).
 *
 * <p>Threading: used by one thread at a time — the request's thread until the call is forwarded, then
 * the upstream client's callbacks — and a write is issued only after the previous one completed.
 */
public interface ResponseSink {

    /** Sets the status; only before the first write. */
    void status(int status);

    /** The response's header fields, which may change until the first write. */
    HttpFields.Mutable headers();

    /**
     * Writes {@code chunk} (not kept after {@code done} completes); {@code last} ends the body.
     * {@code done} succeeds once the bytes are written, or fails when they cannot be.
     */
    void write(boolean last, ByteBuffer chunk, Callback done);

    /** Whether status and headers have been sent (from then on, only more body bytes can be). */
    boolean committed();

    /** Forgets status, headers and anything buffered; only before {@link #committed()}. */
    void reset();

    /**
     * The call is about to be forwarded: from now on, a failure of the client's side (it went away)
     * is reported to {@code clientGone} so the upstream call can be stopped.
     */
    void relaying(Consumer<Throwable> clientGone);

    /**
     * The callback that ends the response: succeeded once the last write is done (the pipeline passes it
     * to that write), failed to abort the response. Always the same object, so ending costs nothing.
     */
    Callback done();
}
