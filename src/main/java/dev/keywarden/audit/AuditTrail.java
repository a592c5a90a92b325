package dev.keywarden.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The durable, tamper-evident audit trail. Entries are encoded on the caller's thread, then go through
 * a bounded in-memory queue to one writer thread that chains them (each record holds the SHA-256 of its
 * predecessor) and stores them in batches, one transaction per batch, with an HMAC checkpoint every
 * {@link Options#checkpointEvery()} records, at least every {@link Options#checkpointInterval()} while
 * records arrive, and at close.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>No entry is silently dropped: when the queue is full, {@link #append} blocks the caller
 *       (back-pressure) until the writer catches up;</li>
 *   <li>an entry that cannot be encoded is refused at the call site ({@link IllegalArgumentException}):
 *       it never reaches the queue, so it cannot stall the writer;</li>
 *   <li>a failed write is retried (with back-off) without losing or reordering the batch, and
 *       {@link #healthy()} is false until a write succeeds again;</li>
 *   <li>{@link #close()} drains the queue and writes a final checkpoint; an entry appended while it runs
 *       is either written or refused with {@link AuditUnavailableException}, never lost without a word
 *       (if the store stays down past the shutdown deadline, what is left is counted in an ERROR line);</li>
 *   <li>in strict mode {@link #appendDurably} returns only once the entry is committed, and
 *       {@link #admit()} refuses while the store is failing (fail closed);</li>
 *   <li>in the default mode a crash can lose at most the queued, not yet committed entries (at most
 *       {@link Options#queueCapacity()}, typically the last few milliseconds);</li>
 *   <li>with an anchor ({@link #start(AuditStore, ChainKey, String, Options, List, Path)}) every
 *       checkpoint is also written to an {@link AuditAnchor} file outside the database and to the
 *       mirrors, and the trail refuses to start on a chain that is shorter than or different from its
 *       anchor, or whose anchor was lost ({@link AuditAnchorException}).</li>
 * </ul>
 */
public final class AuditTrail implements SecurityEvents, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AuditTrail.class);
    static final ObjectMapper CANONICAL = new ObjectMapper()
            .configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);
    /** How long {@link #close()} waits for the writer before giving up on what is left. */
    static final Duration CLOSE_DEADLINE = Duration.ofSeconds(30);

    /**
     * @param strict             wait for durability and refuse while the store fails
     * @param queueCapacity      entries held in memory before callers block
     * @param batchSize          most records per transaction
     * @param checkpointEvery    records between HMAC checkpoints
     * @param strictTimeout      how long a strict-mode caller waits for its record to be committed
     * @param checkpointInterval longest time records stay without a checkpoint (and anchor) while the trail runs
     */
    public record Options(boolean strict, int queueCapacity, int batchSize, int checkpointEvery, Duration strictTimeout,
                          Duration checkpointInterval) {

        /** How often a running trail signs its newest records at the latest: the window an anchor cannot cover. */
        public static final Duration DEFAULT_CHECKPOINT_INTERVAL = Duration.ofSeconds(1);

        public Options {
            if (checkpointInterval.isNegative() || checkpointInterval.isZero()) {
                throw new IllegalArgumentException("checkpointInterval must be positive, was " + checkpointInterval);
            }
        }

        /** Options with the default checkpoint interval. */
        public Options(boolean strict, int queueCapacity, int batchSize, int checkpointEvery, Duration strictTimeout) {
            this(strict, queueCapacity, batchSize, checkpointEvery, strictTimeout, DEFAULT_CHECKPOINT_INTERVAL);
        }

        public static Options defaults() {
            return new Options(false, 10_000, 500, 1_000, Duration.ofSeconds(5));
        }

        public Options strict(boolean strict) {
            return new Options(strict, queueCapacity, batchSize, checkpointEvery, strictTimeout, checkpointInterval);
        }

        public Options checkpointInterval(Duration interval) {
            return new Options(strict, queueCapacity, batchSize, checkpointEvery, strictTimeout, interval);
        }
    }

    /** An entry encoded at the call site, waiting for the writer. */
    private record Pending(String kind, String at, String body, CompletableFuture<Long> durable) {
    }

    private static final Pending STOP = new Pending(null, null, null, null);
    /** How long the buffered writer waits for more records before committing a batch. */
    static final long LINGER_MILLIS = 10;

    private final AuditStore store;
    private final ChainKey secret;
    private final String chainId;
    private final Options options;
    private final List<AuditSink> mirrors;
    private final Clock clock;
    private final AuditAnchor anchor;
    private final BlockingQueue<Pending> queue;
    private final Thread writer;
    private final AtomicLong written = new AtomicLong();
    /** Callers between their closed-check and the end of their enqueue; close() waits for them. */
    private final AtomicInteger entering = new AtomicInteger();
    private volatile boolean healthy = true;
    private volatile boolean closed;
    private volatile boolean writerGone;
    private volatile String lastFailure = "";
    private volatile java.util.function.Consumer<Duration> writeObserver = d -> { };
    private long seq;
    private String prevHash;
    private long sinceCheckpoint;
    private long lastCheckpointNanos = System.nanoTime();
    private boolean anchorFailing;
    private boolean anchorMarked;
    private Duration closeDeadline = CLOSE_DEADLINE;

    private AuditTrail(AuditStore store, ChainKey secret, String chainId, Options options, List<AuditSink> mirrors,
                       Clock clock, AuditAnchor anchor, boolean checkAnchor) {
        this.store = store;
        this.secret = secret;
        this.chainId = chainId;
        this.options = options;
        this.mirrors = List.copyOf(mirrors);
        this.clock = clock;
        this.anchor = anchor;
        this.queue = new ArrayBlockingQueue<>(options.queueCapacity());
        StoredAuditRecord last = store.last(chainId).orElse(null);
        if (anchor != null && checkAnchor) {
            checkAgainstAnchor(last);
        }
        this.seq = last == null ? 0 : last.seq();
        this.prevHash = last == null ? AuditChain.GENESIS : AuditChain.hash(last);
        this.writer = Thread.ofPlatform().name("kw-audit-writer").daemon(true).unstarted(this::run);
    }

    /**
     * Starts the writer for chain {@code chainId} (continuing it if it has records), without an anchor.
     *
     * @param mirrors extra copies of every committed record (JSON lines file, stdout for a SIEM)
     */
    public static AuditTrail start(AuditStore store, ChainKey secret, String chainId, Options options,
                                   List<AuditSink> mirrors) {
        return start(store, secret, chainId, options, mirrors, null);
    }

    /**
     * Starts the writer for chain {@code chainId}, anchored in {@code anchorDir} (the data directory; null: no anchor).
     *
     * @throws AuditAnchorException when the chain is shorter than or different from its anchor, or its anchor was lost
     */
    public static AuditTrail start(AuditStore store, ChainKey secret, String chainId, Options options,
                                   List<AuditSink> mirrors, Path anchorDir) {
        AuditAnchor anchor = anchorDir == null ? null : AuditAnchor.in(anchorDir, chainId);
        AuditTrail trail;
        try {
            trail = new AuditTrail(store, secret, chainId, options, mirrors, Clock.systemUTC(), anchor, true);
        } catch (RuntimeException refused) {
            mirrors.forEach(AuditSink::close);
            throw refused;
        }
        trail.writer.start();
        return trail;
    }

    /**
     * The operator's way out after {@code audit verify} reported a lost or contradicted anchor: signs the
     * chain's current head, replaces the anchor with it, and records that as an alert event
     * ({@code audit.anchor_reset}, with what the old anchor said) at the end of the chain itself. The event stays
     * on the host (log and trail only); see the overload that also sends it to the alert channel.
     *
     * @return what the old anchor said ({@code missing}, or its record number and time)
     */
    public static String resetAnchor(AuditStore store, ChainKey secret, String chainId, Path anchorDir) {
        return resetAnchor(store, secret, chainId, anchorDir, Optional.empty(), java.time.Duration.ofMinutes(15));
    }

    /**
     * {@link #resetAnchor(AuditStore, ChainKey, String, Path)}, and the {@code audit.anchor_reset} alert also goes
     * through a {@link SecurityEventRouter} to {@code channel} (the alert webhook, signed as for a running gateway).
     * The record is written to the chain first, durably: when it cannot be, the command fails and nothing is sent.
     * The channel is flushed (bounded wait) before this returns.
     */
    public static String resetAnchor(AuditStore store, ChainKey secret, String chainId, Path anchorDir,
                                     Optional<AlertChannel> channel, java.time.Duration cooldown) {
        AuditAnchor anchor = AuditAnchor.in(anchorDir, chainId);
        String previous;
        try {
            previous = anchor.read().map(a -> "record " + a.seq() + " signed " + a.at()).orElse("missing");
        } catch (java.io.UncheckedIOException unreadable) {
            previous = "unreadable";
        }
        AuditTrail trail = new AuditTrail(store, secret, chainId, Options.defaults(), List.of(), Clock.systemUTC(), anchor, false);
        trail.writer.start();
        SecurityEvent reset;
        try (trail) {
            reset = SecurityEvent.alert("audit.anchor_reset", chainId, java.util.Map.of(
                    "previous_anchor", previous, "head_seq", Long.toString(trail.seq), "anchor_file", anchor.file().toString()));
            trail.append(AuditEntry.of(reset));
        }
        // the trail already holds the event (written above, so a failure fails the command): the router's trail is a no-op
        try (SecurityEventRouter router = new SecurityEventRouter(new LoggingSecurityEvents(), alreadyRecorded -> { }, channel,
                cooldown)) {
            router.record(reset);
        }
        return previous;
    }

    /** Refuses to continue a chain its anchor contradicts, or whose anchor was lost. */
    private void checkAgainstAnchor(StoredAuditRecord last) {
        long lastSeq = last == null ? 0 : last.seq();
        String fix = "; check it with: keywarden audit verify; the gateway will not sign over this chain until an operator"
                + " has looked (to continue it anyway: keywarden audit anchor --reset, recorded in the trail as an alert)";
        AuditCheckpoint saved;
        try {
            saved = anchor.read().orElse(null);
        } catch (java.io.UncheckedIOException e) {
            throw new AuditAnchorException("audit chain " + chainId + ": " + e.getMessage() + fix);
        }
        if (saved == null) {
            if (last != null) {
                store.anchoredAt(chainId).ifPresent(where -> {
                    throw new AuditAnchorException("audit chain " + chainId + ": its anchor " + anchor.file() + " is missing (the chain"
                            + " was anchored at " + where + "), so deleted or altered newest records could not be noticed" + fix);
                });
                LOG.info("audit: chain {} has {} records and no anchor yet; anchoring it from now on in {}", chainId, lastSeq,
                        anchor.file());
            }
            return;
        }
        String hashAtAnchor = last != null && saved.seq() == lastSeq ? AuditChain.hash(last)
                : store.record(chainId, saved.seq()).map(AuditChain::hash).orElse(null);
        AuditAnchor.compare(saved, chainId, secret, lastSeq, hashAtAnchor, anchor.file().toString()).ifPresent(m -> {
            throw new AuditAnchorException("audit chain " + chainId + " does not match its anchor: " + m.problem() + fix);
        });
        String[] prev = {saved.recordHash()};
        long[] brokenAt = {0};
        store.forEachAfter(chainId, saved.seq(), r -> {
            if (brokenAt[0] == 0 && !r.prevHash().equals(prev[0])) {
                brokenAt[0] = r.seq();
            }
            prev[0] = AuditChain.hash(r);
        });
        if (brokenAt[0] != 0) {
            throw new AuditAnchorException("audit chain " + chainId + ": record " + brokenAt[0] + " after the anchor (record "
                    + saved.seq() + ") no longer links to the record before it: records were altered, inserted or removed" + fix);
        }
        anchorMarked = true;
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

    /** The anchor file this trail keeps, if it has one. */
    public Optional<Path> anchorFile() {
        return Optional.ofNullable(anchor).map(AuditAnchor::file);
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

    /**
     * Queues {@code entry}; blocks while the queue is full. Never drops.
     *
     * @throws IllegalArgumentException  when the entry cannot be encoded (nothing is queued)
     * @throws AuditUnavailableException when the trail is closed or closing (the entry is refused)
     */
    public void append(AuditEntry entry) {
        enqueue(encode(entry, null));
    }

    /**
     * Queues {@code entry} and, in strict mode, waits until it is committed.
     *
     * @throws IllegalArgumentException  when the entry cannot be encoded (nothing is queued)
     * @throws AuditUnavailableException when strict and the record is not durable within the timeout, or the
     *                                   trail is closed
     */
    public void appendDurably(AuditEntry entry) {
        if (!options.strict()) {
            append(entry);
            return;
        }
        CompletableFuture<Long> durable = new CompletableFuture<>();
        enqueue(encode(entry, durable));
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

    /** The entry's canonical JSON, made here so that an entry the writer could not store never reaches the queue. */
    private static Pending encode(AuditEntry entry, CompletableFuture<Long> durable) {
        Objects.requireNonNull(entry, "entry");
        String body;
        try {
            body = CANONICAL.writeValueAsString(entry.fields());
        } catch (JsonProcessingException | RuntimeException e) {
            String why = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getClass().getSimpleName();
            throw new IllegalArgumentException("audit entry (" + entry.kind() + ") cannot be encoded, so it was not recorded: " + why, e);
        }
        return new Pending(entry.kind(), entry.at().toString(), body, durable);
    }

    private void enqueue(Pending p) {
        entering.incrementAndGet();
        try {
            if (closed) {
                throw new AuditUnavailableException("the audit trail is closed; the record was refused");
            }
            while (!queue.offer(p, 50, TimeUnit.MILLISECONDS)) {
                if (writerGone) {
                    throw new AuditUnavailableException("the audit trail shut down before the record could be queued; it was refused");
                }
            }
            if (writerGone && queue.remove(p)) {
                throw new AuditUnavailableException("the audit trail shut down before the record could be written; it was refused");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AuditUnavailableException("interrupted while queueing an audit record");
        } finally {
            entering.decrementAndGet();
        }
    }

    private long pollMillis() {
        return Math.max(10, Math.min(1_000, options.checkpointInterval().toMillis()));
    }

    private void run() {
        List<Pending> batch = new ArrayList<>(options.batchSize());
        boolean stopping = false;
        try {
            while (!stopping || !batch.isEmpty()) {
                if (batch.isEmpty()) {
                    Pending first = queue.poll(pollMillis(), TimeUnit.MILLISECONDS);
                    if (first == null) {
                        checkpointIfDue();
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
                writeWithRetry(batch);
                batch.clear();
            }
            finalCheckpoint();
        } catch (InterruptedException e) {
            // close() interrupts only after the deadline
            if (!batch.isEmpty()) {
                LOG.error("audit: {} record(s) could not be stored before shutdown: {}", batch.size(), lastFailure);
                refuse(batch, "shut down before the record was stored");
            }
        } finally {
            writerGone = true;
        }
    }

    private static void refuse(List<Pending> pending, String why) {
        pending.forEach(p -> {
            if (p.durable() != null) {
                p.durable().completeExceptionally(new AuditUnavailableException(why));
            }
        });
    }

    private void writeWithRetry(List<Pending> batch) throws InterruptedException {
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

    private boolean checkpointDue(long pendingRecords) {
        return sinceCheckpoint + pendingRecords >= options.checkpointEvery()
                || (sinceCheckpoint + pendingRecords > 0
                && System.nanoTime() - lastCheckpointNanos >= options.checkpointInterval().toNanos());
    }

    private void write(List<Pending> batch) {
        long s = seq;
        String prev = prevHash;
        List<StoredAuditRecord> rows = new ArrayList<>(batch.size());
        for (Pending p : batch) {
            StoredAuditRecord r = new StoredAuditRecord(chainId, ++s, p.at(), p.kind(), prev, p.body());
            rows.add(r);
            prev = AuditChain.hash(r);
        }
        AuditCheckpoint checkpoint = checkpointDue(rows.size()) ? checkpoint(s, prev) : null;
        long started = System.nanoTime();
        store.append(rows, checkpoint);
        writeObserver.accept(Duration.ofNanos(System.nanoTime() - started));
        seq = s;
        prevHash = prev;
        sinceCheckpoint += rows.size();
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
        if (checkpoint != null) {
            checkpointed(checkpoint);
        }
    }

    /** On the writer's timer: signs the newest records when they have waited a checkpoint interval. */
    private void checkpointIfDue() {
        if (!checkpointDue(0)) {
            return;
        }
        AuditCheckpoint cp = checkpoint(seq, prevHash);
        try {
            store.addCheckpoint(cp);
        } catch (RuntimeException e) {
            LOG.warn("audit: checkpoint at record {} not written (retried on the next tick): {}", seq, e.getMessage());
            return;
        }
        checkpointed(cp);
    }

    /** After a checkpoint is committed: anchors it outside the database and hands it to the mirrors. */
    private void checkpointed(AuditCheckpoint cp) {
        sinceCheckpoint = 0;
        lastCheckpointNanos = System.nanoTime();
        if (anchor != null) {
            try {
                // the anchor must never name a record the store could still lose (SQLite syncs its log only at checkpoints)
                store.forceToDisk();
                anchor.write(cp);
                if (!anchorMarked) {
                    store.markAnchored(chainId, anchor.file() + " on " + hostName());
                    anchorMarked = true;
                }
                if (anchorFailing) {
                    LOG.warn("audit: the anchor {} is written again (record {})", anchor.file(), cp.seq());
                    anchorFailing = false;
                }
            } catch (RuntimeException e) {
                if (!anchorFailing) {
                    LOG.error("ALERT audit: {}; records after {} are not anchored outside the database until it can be written",
                            e.getMessage(), cp.seq());
                    anchorFailing = true;
                }
            }
        }
        for (AuditSink mirror : mirrors) {
            try {
                mirror.checkpoint(cp);
            } catch (RuntimeException e) {
                LOG.warn("audit: mirror {} failed: {}", mirror, e.toString());
            }
        }
    }

    private static String hostName() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.io.IOException e) {
            return "unknown host";
        }
    }

    private AuditCheckpoint checkpoint(long atSeq, String recordHash) {
        return new AuditCheckpoint(chainId, atSeq, recordHash, Instant.now(clock).toString(),
                AuditChain.checkpointMac(secret, chainId, atSeq, recordHash));
    }

    private void finalCheckpoint() {
        if (seq == 0 || sinceCheckpoint == 0) {
            return;
        }
        AuditCheckpoint cp = checkpoint(seq, prevHash);
        try {
            store.addCheckpoint(cp);
        } catch (RuntimeException e) {
            LOG.error("audit: final checkpoint not written: {}", e.getMessage());
            return;
        }
        checkpointed(cp);
    }

    /**
     * Stops accepting entries, writes everything queued and a final checkpoint (waits up to 30 s). Entries
     * appended while it runs are written or refused; what the writer could not store by the deadline is
     * refused and counted in an ERROR line.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        long deadline = System.nanoTime() + closeDeadline.toNanos();
        try {
            // every caller that passed its closed-check before this point finishes queueing first, so STOP comes last
            while (entering.get() > 0 && System.nanoTime() < deadline && writer.isAlive()) {
                Thread.sleep(1);
            }
            while (!queue.offer(STOP, 50, TimeUnit.MILLISECONDS) && System.nanoTime() < deadline && writer.isAlive()) {
                // the writer is draining a full queue
            }
            writer.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (writer.isAlive()) {
                LOG.error("audit: the store did not take the last records within {} at shutdown: {}", closeDeadline, lastFailure);
                writer.interrupt();
                writer.join(2_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        writerGone = true;
        List<Pending> left = new ArrayList<>();
        queue.drainTo(left);
        left.remove(STOP);
        if (!left.isEmpty()) {
            LOG.error("audit: {} record(s) queued at shutdown were not stored ({}); they are refused", left.size(), lastFailure);
            refuse(left, "shut down before the record was stored");
        }
        for (AuditSink mirror : mirrors) {
            try {
                mirror.close();
            } catch (RuntimeException e) {
                LOG.warn("audit: closing mirror {} failed: {}", mirror, e.toString());
            }
        }
    }

    /** Test seam: how long {@link #close()} waits for the writer (30 s otherwise). */
    AuditTrail closeDeadline(Duration deadline) {
        this.closeDeadline = deadline;
        return this;
    }

    @Override
    public String toString() {
        return "AuditTrail[" + chainId + (options.strict() ? ", strict" : "") + "]";
    }
}
