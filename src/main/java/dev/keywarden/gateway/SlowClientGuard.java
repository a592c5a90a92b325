package dev.keywarden.gateway;

import org.eclipse.jetty.http.HttpParser;
import org.eclipse.jetty.io.Connection;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.AbstractConnector;
import org.eclipse.jetty.server.internal.HttpConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Cuts connections whose client sends too slowly, so that a crowd of them cannot hold the listener:
 * <ul>
 *   <li>a request whose header block is still arriving {@code headerTimeout} after its first byte (a
 *       "slowloris" client sending a byte now and then, which the idle timeout never catches);</li>
 *   <li>a request body that, once it has been arriving for {@code grace}, has come in slower than
 *       {@code minBodyRate} bytes per second on average (0 turns this check off).</li>
 * </ul>
 * A cut closes the connection: a handler still reading the body sees it fail (the gateway answers 408,
 * which the audit trail records). A single thread sweeps the listener's connections every
 * {@link #sweepInterval}; a phase is timed from the sweep that first saw it, so a cut comes between the
 * limit and the limit plus two sweeps. Idle keep-alive connections and responses being written are left to
 * the idle timeout; only requests being received are judged.
 */
final class SlowClientGuard implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SlowClientGuard.class);

    private final AbstractConnector connector;
    private final long headerTimeoutNanos;
    private final long minBodyRate;
    private final long graceNanos;
    private final Duration sweepInterval;
    private final ScheduledExecutorService sweeper;
    private final AtomicLong cut = new AtomicLong();
    private Map<Connection, Phase> watched = new HashMap<>();
    private long cutReported;
    private long lastReportNanos = System.nanoTime();

    /** What a connection was receiving when first seen: which part of which request, since when, from how many bytes. */
    private record Phase(boolean headers, long request, long sinceNanos, long bytesIn) {
    }

    private SlowClientGuard(AbstractConnector connector, Duration headerTimeout, long minBodyRate, Duration grace) {
        this.connector = connector;
        this.headerTimeoutNanos = headerTimeout.toNanos();
        this.minBodyRate = minBodyRate;
        this.graceNanos = grace.toNanos();
        this.sweepInterval = sweepInterval(headerTimeout);
        this.sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kw-slow-clients");
            t.setDaemon(true);
            return t;
        });
    }

    /** A tenth of the header timeout, between 100 ms and 1 s. */
    static Duration sweepInterval(Duration headerTimeout) {
        long millis = Math.max(100, Math.min(1000, headerTimeout.toMillis() / 10));
        return Duration.ofMillis(millis);
    }

    /** Starts sweeping {@code connector}'s connections. */
    static SlowClientGuard start(AbstractConnector connector, Duration headerTimeout, long minBodyRate, Duration grace) {
        SlowClientGuard guard = new SlowClientGuard(connector, headerTimeout, minBodyRate, grace);
        long every = guard.sweepInterval.toMillis();
        guard.sweeper.scheduleWithFixedDelay(guard::sweepSafely, every, every, TimeUnit.MILLISECONDS);
        return guard;
    }

    /** Connections cut so far. */
    long cutCount() {
        return cut.get();
    }

    private void sweepSafely() {
        try {
            sweep(System.nanoTime());
        } catch (RuntimeException e) {
            LOG.warn("slow-client sweep failed: {}", e.toString());
        }
    }

    /** One pass over the open connections (on the sweeper thread only). */
    void sweep(long now) {
        Map<Connection, Phase> next = new HashMap<>();
        for (EndPoint endPoint : connector.getConnectedEndPoints()) {
            if (!(endPoint.getConnection() instanceof HttpConnection c)) {
                continue;
            }
            HttpParser parser = c.getParser();
            boolean headers;
            if (parser.isStart()) {
                continue;
            } else if (parser.inHeaderState()) {
                headers = true;
            } else if (parser.inContentState()) {
                headers = false;
            } else {
                continue;
            }
            long request = c.getMessagesIn();
            Phase seen = watched.get(c);
            if (seen == null || seen.headers() != headers || seen.request() != request) {
                seen = new Phase(headers, request, now, c.getBytesIn());
            }
            long elapsed = now - seen.sinceNanos();
            if (headers && elapsed >= headerTimeoutNanos) {
                cut(endPoint, "its request headers did not arrive within " + Duration.ofNanos(headerTimeoutNanos).toMillis() + " ms");
            } else if (!headers && minBodyRate > 0 && elapsed >= graceNanos
                    && (c.getBytesIn() - seen.bytesIn()) * 1_000_000_000.0 / elapsed < minBodyRate) {
                cut(endPoint, "its request body arrived slower than " + minBodyRate + " bytes per second");
            } else {
                next.put(c, seen);
            }
        }
        watched = next;
        report(now);
    }

    private void cut(EndPoint endPoint, String why) {
        cut.incrementAndGet();
        LOG.debug("closing a connection from {}: {}", endPoint.getRemoteSocketAddress(), why);
        endPoint.close();
    }

    /** The first cuts at once, then at most one warning a minute with the count: a flood must not flood the log. */
    private void report(long now) {
        long fresh = cut.get() - cutReported;
        if (fresh > 0 && (cutReported == 0 || now - lastReportNanos >= TimeUnit.MINUTES.toNanos(1))) {
            LOG.warn("closed {} slow client connection(s) (server.header_timeout, server.min_body_rate); later ones are"
                    + " summed up at most once a minute", fresh);
            cutReported += fresh;
            lastReportNanos = now;
        }
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
    }
}
