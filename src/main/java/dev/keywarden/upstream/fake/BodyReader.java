package dev.keywarden.upstream.fake;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.function.Consumer;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.thread.Invocable;

/**
 * Reads a whole request body without blocking a thread, then hands it on.
 *
 * <p>Guarantee: exactly one of the three outcomes is reported, once: the body (at most
 * {@code maxBytes}), "too large", or the read failure. Chunks are released as they are copied.
 */
final class BodyReader implements Runnable, Invocable {

    interface Outcome {
        void body(byte[] body);

        void tooLarge();

        void failed(Throwable failure);
    }

    private final Request request;
    private final int maxBytes;
    private final Outcome outcome;
    private byte[] buffer;
    private int length;

    BodyReader(Request request, int maxBytes, Outcome outcome) {
        this.request = request;
        this.maxBytes = maxBytes;
        this.outcome = outcome;
        long declared = request.getLength();
        this.buffer = new byte[declared >= 0 && declared <= maxBytes ? (int) declared : 1024];
    }

    @Override
    public void run() {
        while (true) {
            Content.Chunk chunk = request.read();
            if (chunk == null) {
                request.demand(this);
                return;
            }
            if (Content.Chunk.isFailure(chunk)) {
                outcome.failed(chunk.getFailure());
                return;
            }
            ByteBuffer bytes = chunk.getByteBuffer();
            int n = bytes.remaining();
            if ((long) length + n > maxBytes) {
                chunk.release();
                outcome.tooLarge();
                return;
            }
            if (length + n > buffer.length) {
                buffer = Arrays.copyOf(buffer, (int) Math.min(maxBytes, Math.max((long) length + n, buffer.length * 2L)));
            }
            bytes.get(buffer, length, n);
            length += n;
            boolean last = chunk.isLast();
            chunk.release();
            if (last) {
                outcome.body(length == buffer.length ? buffer : Arrays.copyOf(buffer, length));
                return;
            }
        }
    }

    @Override
    public InvocationType getInvocationType() {
        return InvocationType.NON_BLOCKING;
    }

    /** Convenience for lambdas. */
    static Outcome outcome(Consumer<byte[]> body, Runnable tooLarge, Consumer<Throwable> failed) {
        return new Outcome() {
            @Override
            public void body(byte[] b) {
                body.accept(b);
            }

            @Override
            public void tooLarge() {
                tooLarge.run();
            }

            @Override
            public void failed(Throwable failure) {
                failed.accept(failure);
            }
        };
    }
}
