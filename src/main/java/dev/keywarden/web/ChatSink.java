package dev.keywarden.web;

import dev.keywarden.pipeline.ResponseSink;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

/**
 * The chat endpoint's {@link ResponseSink}: the Jetty response of one {@code POST /api/chat}. The pipeline writes the
 * Messages API's answer through it unchanged (JSON, or the SSE stream event by event), ended through the handler's
 * callback; failing that callback aborts the response, so a browser never takes a vetoed answer for complete.
 */
final class ChatSink implements ResponseSink {

    private final Request request;
    private final Response response;
    private final Callback callback;

    ChatSink(Request request, Response response, Callback callback) {
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

    /** Reports the browser going away, and stops idle-timing the request: a long answer is not a stalled client. */
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
