package dev.keywarden.testing;

import dev.keywarden.pipeline.ResponseSink;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.util.Callback;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A {@link ResponseSink} that keeps the response in memory: every write completes at once, and
 * {@link #ended} completes when the pipeline ends the response (exceptionally when it aborts it).
 * Each write is also reported to {@code writes} ({@code "write"} or {@code "last write"}), so a test
 * can see it in order with other events.
 */
public final class CollectingSink implements ResponseSink {

    public final CompletableFuture<Void> ended = new CompletableFuture<>();
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private final Consumer<String> writes;
    private final Callback done = Callback.from(() -> ended.complete(null), ended::completeExceptionally);
    private volatile HttpFields.Mutable headers = HttpFields.build();
    private volatile int status;
    private volatile boolean committed;

    public CollectingSink() {
        this(w -> { });
    }

    public CollectingSink(Consumer<String> writes) {
        this.writes = writes;
    }

    @Override
    public void status(int status) {
        this.status = status;
    }

    @Override
    public HttpFields.Mutable headers() {
        return headers;
    }

    @Override
    public synchronized void write(boolean last, ByteBuffer chunk, Callback written) {
        committed = true;
        byte[] bytes = new byte[chunk.remaining()];
        chunk.duplicate().get(bytes);
        body.write(bytes, 0, bytes.length);
        writes.accept(last ? "last write" : "write");
        written.succeeded();
    }

    @Override
    public boolean committed() {
        return committed;
    }

    @Override
    public synchronized void reset() {
        status = 0;
        headers = HttpFields.build();
        body.reset();
    }

    @Override
    public void relaying(Consumer<Throwable> clientGone) {
        // this client never goes away
    }

    @Override
    public Callback done() {
        return done;
    }

    public int status() {
        return status;
    }

    public synchronized String text() {
        return body.toString(StandardCharsets.UTF_8);
    }

    /** The header's value, or null. */
    public String header(String name) {
        HttpField f = headers.getField(name);
        return f == null ? null : f.getValue();
    }

    /** Whether the response ended complete (false when it was aborted or has not ended). */
    public boolean succeeded() {
        return ended.isDone() && !ended.isCompletedExceptionally();
    }

    /** Why the response was aborted, or null. */
    public Throwable failure() {
        return ended.isCompletedExceptionally() ? ended.exceptionNow() : null;
    }
}
