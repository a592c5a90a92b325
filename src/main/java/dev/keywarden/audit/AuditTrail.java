package dev.keywarden.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The durable, tamper-evident audit trail. Entries go through a bounded in-memory queue to one
 * writer thread that chains them (each record holds the SHA-256 of its predecessor) and stores
 * them in batches, one transaction per batch, with an HMAC checkpoint every
 * {@link Options#checkpointEvery()} records and at close.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>No entry is silently dropped: when the queue is full, {@link #append} blocks the caller
 *       (back-pressure) until the writer catches up;</li>
 *   <li>a failed write is retried (with back-off) without losing or reordering the batch, and
 *       {@link #healthy()} is false until a write succeeds again;</li>
 *   <li>{@link #close()} drains the queue and writes a final checkpoint;</li>
 *   <li>in strict mode {@link #appendDurably} returns only once the entry is committed, and
 *       {@link #admit()} refuses while the store is failing (fail closed);</li>
 *   <li>in the default mode a crash can lose at most the queued, not yet committed entries (at most
 *       {@link Options#queueCapacity()}, typically the last few milliseconds).</li>
 * </ul>
 */
public final class AuditTrail implements SecurityEvents, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AuditTrail.class);
    static final ObjectMapper CANONICAL = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

    /**
     * @param strict          wait for durability and refuse while the store fails
     * @param queueCapacity   entries held in memory before callers block
     * @param batchSize       most records per transaction
     * @param checkpointEvery records between HMAC checkpoints
     * @param strictTimeout   how long a strict-mode caller waits for its record to be committed
     */
    public record Options(boolean strict, int queueCapacity, int batchSize, int checkpointEvery, Duration strictTimeout) {
        public static Options defaults() {
            return new Options(false, 10_000, 500, 1_000, Duration.ofSeconds(5));
        }

        public Options strict(boolean strict) {
            return new Options(strict, queueCapacity, batchSize, checkpointEvery, strictTimeout);
        }
    }

    private record Pending(AuditEntry entry, CompletableFuture<Long> durable) {
    }

    private static final Pending STOP = new Pending(null, null);
    /** How long the buffered writer waits for more records before committing a batch. */
    static final long LINGER_MILLIS = 10;

    private final AuditStore store;
    private final ChainKey secret;
    private final String chainId;
    private final Options options;
    private final List<AuditSink> mirrors;
    private final Clock clock;
    private final BlockingQueue<Pending> queue;
    private final Thread writer;
    private final AtomicLong written = new AtomicLong();
    private volatile boolean healthy = true;
    private volatile boolean closed;
    private volatile String lastFailure = "";
    private volatile java.util.function.Consumer<Duration> writeObserver = d -> { };
    private long seq;
    private String prevHash;
    private long sinceCheckpoint;

    private AuditTrail(AuditStore store, ChainKey secret, String chainId, Options options, List<AuditSink> mirrors,
                       Clock clock) {
        this.store = store;
        this.secret = secret;
        this.chainId = chainId;
        this.options = options;
        this.mirrors = List.copyOf(mirrors);
        this.clock = clock;
        this.queue = new ArrayBlockingQueue<>(options.queueCapacity());
        StoredAuditRecord last = store.last(chainId).orElse(null);
        this.seq = last == null ? 0 : last.seq();
        this.prevHash = last == null ? AuditChain.GENESIS : AuditChain.hash(last);
        this.writer = Thread.ofPlatform().name("kw-audit-writer").daemon(true).unstarted(this::run);
    }

    /**
     * Starts the writer for chain {@code chainId} (continuing it if it has records).
     *
     * @param mirrors extra copies of every committed record (JSON lines file, stdout for a SIEM)
     */
    public static AuditTrail start(AuditStore store, ChainKey secret, String chainId, Options options,
                                   List<AuditSink> mirrors) {
        AuditTrail trail = new AuditTrail(store, secret, chainId, options, mirrors, Clock.systemUTC());
        trail.writer.start();
        return trail;
    }

    public boolean strict() {
        return options.strict();
    }

    /** False while the store is failing; strict mode then refuses requests. */
    public boolean healthy() {
        return healthy && !closed;
    }

    /** Told how long each committed batch took to write (metrics). */
    public void observeWrites(java.util.function.Consumer<Duration> observer) {
        this.writeObserver = Objects.requireNonNull(observer, "observer");
    }

    /** Entries waiting to be written. */
    public int queueDepth() {
        return queue.size();
    }

    public long written() {
        return written.get();
    }

    /**
     * Strict mode: throws {@link AuditUnavailableException} when the trail cannot currently make
     * records durable, so the caller refuses the request. Default mode: never throws.
     */
    public void admit() {
        if (options.strict() && !healthy()) {
            throw new AuditUnavailableException("the audit trail cannot write records (" + lastFailure
                    + "); audit.mode is strict, so requests are refused until it recovers");
        }
    }

    /** Queues {@code entry}; blocks while the queue is full. Never drops. */
    public void append(AuditEntry entry) {
        enqueue(new Pending(Objects.requireNonNull(entry, "entry"), null));
    }

    /**
     * Queues {@code entry} and, in strict mode, waits until it is committed.
     *
     * @throws AuditUnavailableException when strict and the record is not durable within the timeout
     */
    public void appendDurably(AuditEntry entry) {
        if (!options.strict()) {
            append(entry);
            return;
        }
        CompletableFuture<Long> durable = new CompletableFuture<>();
        enqueue(new Pending(Objects.requireNonNull(entry, "entry"), durable));
        try {
            durable.get(options.strictTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AuditUnavailableException("the audit record was not stored within " + options.strictTimeout().toMillis()
                    + " ms (" + lastFailure + ")");
        } catch (ExecutionException e) {
            throw new AuditUnavailableException("the audit record could not be stored: " + e.getCause().getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AuditUnavailableException("interrupted while waiting for the audit record");
        }
    }

    @Override
    public void record(SecurityEvent event) {
        try {
            append(AuditEntry.of(event));
        } catch (RuntimeException e) {
            LOG.error("security event {} could not be queued for audit: {}", event.type(), e.toString());
        }
    }

    private void enqueue(Pending p) {
        if (closed) {
            throw new AuditUnavailableException("the audit trail is closed");
        }
        try {
            queue.put(p);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AuditUnavailableException("interrupted while queueing an audit record");
        }
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(options.batchSize());
        boolean stopping = false;
        while (!stopping || !batch.isEmpty()) {
            try {
                if (batch.isEmpty()) {
                    Pending first = queue.poll(1, TimeUnit.SECONDS);
                    if (first == null) {
                        continue;
                    }
                    if (first == STOP) {
                        stopping = true;
                        continue;
                    }
                    batch.add(first);
                    if (!options.strict() && queue.size() < options.batchSize()) {
                        // buffered mode: let a few milliseconds of records gather so a busy gateway commits
                        // tens of batches per second instead of one transaction per call
                        Thread.sleep(LINGER_MILLIS);
                    }
                    List<Pending> more = new ArrayList<>();
                    queue.drainTo(more, options.batchSize() - 1);
                    for (Pending p : more) {
                        if (p == STOP) {
                            stopping = true;
                        } else {
                            batch.add(p);
                        }
                    }
                }
                writeWithRetry(batch, stopping);
                batch.clear();
            } catch (InterruptedException e) {
                // close() interrupts only after the deadline
                stopping = true;
                if (!batch.isEmpty()) {
                    LOG.error("audit: {} record(s) could not be stored before shutdown: {}", batch.size(), lastFailure);
                    batch.forEach(p -> {
                        if (p.durable() != null) {
                            p.durable().completeExceptionally(new AuditUnavailableException("shut down before the record was stored"));
                        }
                    });
                    batch.clear();
                }
                return;
            }
        }
        finalCheckpoint();
    }

    private void writeWithRetry(List<Pending> batch, boolean stopping) throws InterruptedException {
        long backoff = 100;
        while (true) {
            try {
                write(batch);
                if (!healthy) {
                    LOG.warn("audit: the store accepts records again");
                }
                healthy = true;
                return;
            } catch (RuntimeException e) {
                lastFailure = e.getMessage();
                if (healthy) {
                    LOG.error("audit: cannot store {} record(s), retrying: {}", batch.size(), e.getMessage());
                }
                healthy = false;
                Thread.sleep(backoff);
                backoff = Math.min(backoff * 2, 5_000);
            }
        }
    }

    private void write(List<Pending> batch) {
        long s = seq;
        String prev = prevHash;
        List<StoredAuditRecord> rows = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            StoredAuditRecord r = new StoredAuditRecord(chainId, ++s, p.entry().at().toString(), p.entry().kind(), prev,
                    json(p.entry()));
            rows.add(r);
            prev = AuditChain.hash(r);
        }
        AuditCheckpoint checkpoint = null;
        if (sinceCheckpoint + rows.size() >= options.checkpointEvery()) {
            checkpoint = checkpoint(s, prev);
        }
        long started = System.nanoTime();
        store.append(rows, checkpoint);
        writeObserver.accept(Duration.ofNanos(System.nanoTime() - started));
        seq = s;
        prevHash = prev;
        sinceCheckpoint = checkpoint != null ? 0 : sinceCheckpoint + rows.size();
        written.addAndGet(rows.size());
        for (Pending p : batch) {
            if (p.durable() != null) {
                p.durable().complete(s);
            }
        }
        for (AuditSink mirror : mirrors) {
            try {
                mirror.accept(rows);
            } catch (RuntimeException e) {
                LOG.warn("audit: mirror {} failed: {}", mirror, e.toString());
            }
        }
    }

    private AuditCheckpoint checkpoint(long atSeq, String recordHash) {
        String mac = HexFormat.of().formatHex(secret.hmac(AuditChain.checkpointMessage(chainId, atSeq, recordHash)));
        return new AuditCheckpoint(chainId, atSeq, recordHash, Instant.now(clock).toString(), mac);
    }

    private void finalCheckpoint() {
        if (seq == 0 || sinceCheckpoint == 0) {
            return;
        }
        try {
            store.addCheckpoint(checkpoint(seq, prevHash));
            sinceCheckpoint = 0;
        } catch (RuntimeException e) {
            LOG.error("audit: final checkpoint not written: {}", e.getMessage());
        }
    }

    private static String json(AuditEntry entry) {
        try {
            return CANONICAL.writeValueAsString(entry.fields());
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("audit entry cannot be encoded: " + e.getOriginalMessage(), e);
        }
    }

    /** Stops accepting entries, writes everything queued and a final checkpoint (waits up to 30 s). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            queue.put(STOP);
            writer.join(30_000);
            if (writer.isAlive()) {
                LOG.error("audit: {} record(s) still unwritten after 30 s at shutdown: {}", queue.size(), lastFailure);
                writer.interrupt();
                writer.join(2_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (AuditSink mirror : mirrors) {
            try {
                mirror.close();
            } catch (RuntimeException e) {
                LOG.warn("audit: closing mirror {} failed: {}", mirror, e.toString());
            }
        }
    }

    @Override
    public String toString() {
        return "AuditTrail[" + chainId + (options.strict() ? ", strict" : "") + "]";
    }
}
