package dev.keywarden.upstream.fake;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * A faithful stand-in for {@code api.anthropic.com} on a local port: the Messages API (JSON and
 * SSE), token counting, models and message batches, with simulated answers and named failure
 * scenarios (header {@code x-fake-scenario: NAME} or a last user message starting
 * {@code fake:NAME}). Used by demo mode, by the gateway's tests and by benchmarks.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>{@link #start} returns only once the port is listening, or throws naming host and port.</li>
 *   <li>Only the configured {@code x-api-key}, and keys added later with {@link #acceptKey}, are
 *       accepted (constant-time comparison against SHA-256 digests); {@link #rejectKey} makes a key
 *       get 401 {@code authentication_error} from the next request on, as Anthropic does for a
 *       disabled key. Keys never appear in an answer, a log line or {@link #toString()}.</li>
 *   <li>Each recorded exchange names the key it presented by SHA-256 fingerprint
 *       ({@link RecordedExchange#apiKeySha256()}, as {@link #fingerprintOf}) and carries its arrival
 *       time ({@link RecordedExchange#arrivedNanos()}, {@link System#nanoTime()} of this JVM).</li>
 *   <li>Every request is recorded in arrival order with the exact bytes answered; the record keeps
 *       the newest 10,000 exchanges (and about 64 MB of bodies), so long benchmarks stay bounded.</li>
 *   <li>A stream whose client goes away is noticed at the next failed write (within one delta
 *       interval, 25 ms in the {@code slow} scenario) and counted in {@link #cancelledStreams()}.</li>
 *   <li>{@link #close()} stops listening, drops hanging requests, ends running streams and is
 *       idempotent.</li>
 * </ul>
 */
public final class FakeUpstream implements AutoCloseable {

    static final long IDLE_TIMEOUT_MS = 120_000;
    /** Generous, like an API front end and above the gateway's default 16 KB, so a gateway test meets its own limit first. */
    static final int MAX_REQUEST_HEADER_BYTES = 32 * 1024;

    private final Server server;
    private final ServerConnector connector;
    private final ExchangeLog log;
    private final HangingRequests hangs;
    private final StreamCancellations cancellations;
    private final ReplyWriter writer;
    private final ExecutorService waiters;
    private final URI baseUri;
    private final AcceptedKeys keys;

    private FakeUpstream(Server server, ServerConnector connector, ExchangeLog log, HangingRequests hangs,
                         StreamCancellations cancellations, ReplyWriter writer, ExecutorService waiters, URI baseUri,
                         AcceptedKeys keys) {
        this.server = server;
        this.connector = connector;
        this.log = log;
        this.hangs = hangs;
        this.cancellations = cancellations;
        this.writer = writer;
        this.waiters = waiters;
        this.baseUri = baseUri;
        this.keys = keys;
    }

    /** Starts listening; returns once requests are accepted. */
    public static FakeUpstream start(FakeUpstreamOptions options) {
        Objects.requireNonNull(options, "options");
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("fake-upstream");
        threads.setVirtualThreadsExecutor(Executors.newVirtualThreadPerTaskExecutor());
        Server server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setRequestHeaderSize(MAX_REQUEST_HEADER_BYTES);
        http.setSendServerVersion(false);
        http.setSendXPoweredBy(false);
        ServerConnector connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost(options.host());
        connector.setPort(options.port());
        connector.setIdleTimeout(IDLE_TIMEOUT_MS);
        server.addConnector(connector);
        server.setStopTimeout(0);

        ExchangeLog log = new ExchangeLog(ExchangeLog.DEFAULT_MAX_ENTRIES, ExchangeLog.DEFAULT_MAX_BYTES);
        HangingRequests hangs = new HangingRequests();
        StreamCancellations cancellations = new StreamCancellations();
        ExecutorService waiters = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("fake-upstream-stream-", 0).factory());
        ReplyWriter writer = new ReplyWriter(waiters, hangs, cancellations);
        BaseUriHolder base = new BaseUriHolder();
        AcceptedKeys keys = new AcceptedKeys(options.apiKey());
        FakeApi api = new FakeApi(keys, options.tokensPerSecond(), base::get);
        server.setHandler(new FakeUpstreamHandler(api, log, writer, options.latency().toNanos()));
        try {
            server.start();
        } catch (Exception e) {
            stopQuietly(server);
            waiters.shutdownNow();
            throw new IllegalStateException("fake upstream could not listen on " + options.host() + ":" + options.port()
                    + ": " + e.getMessage(), e);
        }
        URI uri = URI.create("http://" + uriHost(options.host()) + ":" + connector.getLocalPort());
        base.set(uri.toString());
        return new FakeUpstream(server, connector, log, hangs, cancellations, writer, waiters, uri, keys);
    }

    /** The port actually listened on. */
    public int port() {
        return connector.getLocalPort();
    }

    /** e.g. {@code http://127.0.0.1:54321}, without a trailing slash. */
    public URI baseUri() {
        return baseUri;
    }

    /**
     * Accepts {@code key} as well, from the next request on (like a key newly issued in the
     * console). Accepting a key twice is harmless.
     */
    public void acceptKey(String key) {
        keys.accept(key);
    }

    /**
     * Refuses {@code key} with 401 {@code authentication_error} from the next request on (like a
     * key disabled or deleted in the console). Streams already running on it are not cut.
     *
     * @return whether the key had been accepted
     */
    public boolean rejectKey(String key) {
        return keys.reject(key);
    }

    /** How many keys are accepted right now. */
    public int acceptedKeyCount() {
        return keys.size();
    }

    /**
     * The fingerprint {@link RecordedExchange#apiKeySha256()} uses: lower-case hex SHA-256 of the
     * key's UTF-8 bytes, the same as the vault's {@code sha256} fingerprint of a provider key.
     */
    public static String fingerprintOf(String key) {
        return AcceptedKeys.sha256Hex(key);
    }

    /** Every retained request, oldest first (a snapshot; later requests do not change it). */
    public List<RecordedExchange> exchanges() {
        return log.snapshot();
    }

    /** Requests received since start or the last {@link #clearExchanges()}, including ones no longer retained. */
    public int requestCount() {
        return log.count();
    }

    /** Forgets the recorded exchanges and resets {@link #requestCount()}. */
    public void clearExchanges() {
        log.clear();
    }

    /** Streams whose client went away before {@code message_stop} was written. */
    public int cancelledStreams() {
        return cancellations.count();
    }

    /** Waits until {@link #cancelledStreams()} reaches {@code atLeast}; false on timeout. */
    public boolean awaitCancelledStreams(int atLeast, Duration timeout) throws InterruptedException {
        return cancellations.await(atLeast, timeout);
    }

    /** Stops listening and ends every open exchange. Idempotent. */
    @Override
    public void close() {
        writer.closing();
        hangs.dropAll();
        waiters.shutdownNow();
        stopQuietly(server);
    }

    @Override
    public String toString() {
        return "FakeUpstream[" + baseUri + "]";
    }

    private static void stopQuietly(Server server) {
        try {
            server.stop();
        } catch (Exception e) {
            // stopping is best effort; nothing more to release
        }
    }

    private static String uriHost(String host) {
        return host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
    }

    /** The base URI becomes known only after the port is bound. */
    private static final class BaseUriHolder {
        private volatile String value = "";

        String get() {
            return value;
        }

        void set(String v) {
            value = v;
        }
    }
}
