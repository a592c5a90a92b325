package dev.keywarden.upstream.fake;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Blocker;
import org.eclipse.jetty.util.Callback;

/**
 * Puts a {@link Reply} on the wire and into the exchange log.
 *
 * <p>Guarantees: an undelayed whole reply is written without leaving the calling thread and
 * without blocking; anything that waits (latency, pacing, streams) runs on its own virtual thread.
 * Each SSE frame is a separate write that completes (is flushed to the socket) before the next
 * starts. The log holds a frame's bytes before the client can see them, and drops them again if
 * the write fails. A stream whose write fails before {@code message_stop} is counted as cancelled
 * (unless the fake itself is closing).
 */
final class ReplyWriter {

    static final String ORGANIZATION_ID = "00000000-0000-4000-8000-0000000fa4e0";

    private final ExecutorService waiters;
    private final HangingRequests hangs;
    private final StreamCancellations cancellations;
    private volatile boolean closing;

    ReplyWriter(ExecutorService waiters, HangingRequests hangs, StreamCancellations cancellations) {
        this.waiters = waiters;
        this.hangs = hangs;
        this.cancellations = cancellations;
    }

    void closing() {
        closing = true;
    }

    void deliver(Reply reply, long latencyNanos, Request request, Response response, Callback callback,
                 ExchangeLog.Entry entry) {
        switch (reply) {
            case Reply.Full full -> {
                long wait = latencyNanos + full.delayNanos();
                if (wait == 0) {
                    writeFull(full, response, callback, entry);
                } else {
                    onVirtualThread(callback, entry, () -> {
                        if (pause(wait)) {
                            writeFull(full, response, callback, entry);
                        } else {
                            abort(callback, entry);
                        }
                    });
                }
            }
            case Reply.Stream stream -> onVirtualThread(callback, entry,
                    () -> writeStream(stream, latencyNanos, response, callback, entry));
            case Reply.Hang hang -> {
                entry.complete();
                hangs.hold(request, callback);
            }
        }
    }

    private void writeFull(Reply.Full full, Response response, Callback callback, ExchangeLog.Entry entry) {
        entry.status(full.status());
        entry.responseBody(full.body());
        entry.complete();
        response.setStatus(full.status());
        HttpFields.Mutable headers = response.getHeaders();
        headers.put(HttpHeader.CONTENT_TYPE, full.contentType());
        headers.put(HttpHeader.CONTENT_LENGTH, full.body().length);
        for (HttpField field : full.headers()) {
            headers.add(field);
        }
        response.write(true, ByteBuffer.wrap(full.body()), callback);
    }

    private void writeStream(Reply.Stream stream, long latencyNanos, Response response, Callback callback,
                             ExchangeLog.Entry entry) {
        if (!pause(latencyNanos)) {
            abort(callback, entry);
            return;
        }
        entry.status(200);
        response.setStatus(200);
        HttpFields.Mutable headers = response.getHeaders();
        headers.put(HttpHeader.CONTENT_TYPE, Reply.SSE);
        headers.put(HttpHeader.CACHE_CONTROL, "no-cache");
        for (HttpField field : stream.headers()) {
            headers.add(field);
        }
        StreamPlan plan = stream.plan();
        boolean stopWritten = false;
        boolean deltaSeen = false;
        try {
            for (int i = 0; i < plan.frames().size(); i++) {
                StreamPlan.Frame frame = plan.frames().get(i);
                if (frame.delta()) {
                    if (deltaSeen && plan.deltaIntervalNanos() > 0 && !pause(plan.deltaIntervalNanos())) {
                        throw new IOException("fake upstream closing");
                    }
                    deltaSeen = true;
                }
                int before = entry.append(frame.bytes());
                try {
                    write(response, i == plan.frames().size() - 1, frame.bytes());
                } catch (IOException e) {
                    entry.truncate(before);
                    throw e;
                }
                stopWritten |= frame.messageStop();
            }
            entry.complete();
            callback.succeeded();
        } catch (IOException e) {
            if (!stopWritten && !closing) {
                cancellations.record();
            }
            entry.complete();
            callback.failed(e);
        }
    }

    private static void write(Response response, boolean last, byte[] bytes) throws IOException {
        try (Blocker.Callback written = Blocker.callback()) {
            response.write(last, ByteBuffer.wrap(bytes), written);
            written.block();
        }
    }

    private void onVirtualThread(Callback callback, ExchangeLog.Entry entry, Runnable task) {
        try {
            waiters.execute(task);
        } catch (RejectedExecutionException e) {
            abort(callback, entry);
        }
    }

    /** Sleeps; false when interrupted because the fake is closing. */
    private static boolean pause(long nanos) {
        if (nanos <= 0) {
            return true;
        }
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void abort(Callback callback, ExchangeLog.Entry entry) {
        entry.complete();
        callback.failed(new IOException("fake upstream closing"));
    }
}
