package dev.keywarden.pipeline;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * A {@link ResponseSink} over the Jetty response of one request, for every entry point (the proxy's
 * {@code /v1/*}, the chat endpoint): ended through the handler's callback, and failing that callback aborts
 * the response, so a client never takes a vetoed answer for complete.
 */
public final class HttpSink implements ResponseSink {

    private final Request request;
    private final Response response;
    private final Callback callback;

    public HttpSink(Request request, Response response, Callback callback) {
        this.request = request;
        this.response = response;
        this.callback = callback;
    }

    @Override
    public void status(int status) {
        response.setStatus(status);
    }

    @Override
    public HttpFields.Mutable headers() {
        return response.getHeaders();
    }

    @Override
    public void write(boolean last, ByteBuffer chunk, Callback done) {
        response.write(last, chunk, done);
    }

    @Override
    public boolean committed() {
        return response.isCommitted();
    }

    @Override
    public void reset() {
        response.reset();
    }

    /** Reports a failure of the client connection, and stops idle-timing the request: a long stream is not a stalled client. */
    @Override
    public void relaying(Consumer<Throwable> clientGone) {
        request.addFailureListener(clientGone);
        request.addIdleTimeoutListener(timeout -> false);
    }

    @Override
    public Callback done() {
        return callback;
    }
}
