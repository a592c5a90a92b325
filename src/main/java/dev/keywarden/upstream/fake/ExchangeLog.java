package dev.keywarden.upstream.fake;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The bounded, thread-safe record of exchanges a {@link FakeUpstream} has seen.
 *
 * <p>Guarantee: entries are kept in arrival order; at most {@code maxEntries} entries and (once
 * their responses are complete) about {@code maxBytes} of bodies are retained, the oldest dropped
 * first, so a benchmark cannot make the fake run out of memory. {@link #count()} counts every
 * request since the last {@link #clear()}, dropped or not.
 */
final class ExchangeLog {

    static final int DEFAULT_MAX_ENTRIES = 10_000;
    static final long DEFAULT_MAX_BYTES = 64L * 1024 * 1024;

    private final int maxEntries;
    private final long maxBytes;
    private final ArrayDeque<Entry> entries = new ArrayDeque<>();
    private long retainedBytes;
    private int count;

    ExchangeLog(int maxEntries, long maxBytes) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be at least 1 but was " + maxEntries);
        }
        this.maxEntries = maxEntries;
        this.maxBytes = maxBytes;
    }

    /** Starts recording a request that has just arrived. */
    Entry begin(String method, String path, String query, Map<String, List<String>> headers) {
        Entry entry = new Entry(this, method, path, query, headers);
        synchronized (this) {
            count++;
            entries.addLast(entry);
            evictWhileOverBudget();
        }
        return entry;
    }

    synchronized int count() {
        return count;
    }

    synchronized void clear() {
        entries.forEach(e -> e.evicted = true);
        entries.clear();
        retainedBytes = 0;
        count = 0;
    }

    List<RecordedExchange> snapshot() {
        Entry[] copy;
        synchronized (this) {
            copy = entries.toArray(new Entry[0]);
        }
        List<RecordedExchange> out = new ArrayList<>(copy.length);
        for (Entry e : copy) {
            out.add(e.toRecord());
        }
        return List.copyOf(out);
    }

    private synchronized void completed(Entry entry, long bytes) {
        if (!entry.evicted && entry.accountedBytes == 0) {
            entry.accountedBytes = bytes;
            retainedBytes += bytes;
            evictWhileOverBudget();
        }
    }

    private void evictWhileOverBudget() {
        while (entries.size() > 1 && (entries.size() > maxEntries || retainedBytes > maxBytes)) {
            Entry oldest = entries.pollFirst();
            oldest.evicted = true;
            retainedBytes -= oldest.accountedBytes;
        }
    }

    /** One exchange being recorded; the response grows as it is written. */
    static final class Entry {
        private final ExchangeLog log;
        private final String method;
        private final String path;
        private final String query;
        private final Map<String, List<String>> headers;
        private final long arrivedNanos = System.nanoTime();
        private final java.time.Instant arrivedAt = java.time.Instant.now();
        private byte[] requestBody = new byte[0];
        private int status;
        private byte[] response = new byte[0];
        private int responseLength;
        private long accountedBytes; // guarded by the log
        private boolean evicted;     // guarded by the log

        private Entry(ExchangeLog log, String method, String path, String query, Map<String, List<String>> headers) {
            this.log = log;
            this.method = method;
            this.path = path;
            this.query = query;
            this.headers = headers;
        }

        synchronized void requestBody(byte[] body) {
            this.requestBody = body;
        }

        synchronized void status(int status) {
            this.status = status;
        }

        /** Records a whole response body at once (the array is kept, not copied: do not modify it). */
        synchronized void responseBody(byte[] body) {
            this.response = body;
            this.responseLength = body.length;
        }

        /** Appends bytes of a response being streamed; returns the length before them. */
        synchronized int append(byte[] bytes) {
            int before = responseLength;
            int needed = responseLength + bytes.length;
            if (needed > response.length) {
                response = Arrays.copyOf(response, Math.max(needed, Math.max(256, response.length * 2)));
            }
            System.arraycopy(bytes, 0, response, responseLength, bytes.length);
            responseLength = needed;
            return before;
        }

        /** Forgets streamed bytes after {@code length} (their write failed). */
        synchronized void truncate(int length) {
            responseLength = Math.min(responseLength, length);
        }

        /** Marks the exchange finished so its size counts against the log's byte budget. */
        void complete() {
            long bytes;
            synchronized (this) {
                bytes = 1L + requestBody.length + responseLength;
            }
            log.completed(this, bytes);
        }

        synchronized RecordedExchange toRecord() {
            return new RecordedExchange(method, path, query, headers, requestBody.clone(), status,
                    Arrays.copyOf(response, responseLength), presentedKeySha256(), arrivedAt, arrivedNanos);
        }

        /** The fingerprint of the key the request presented: {@code x-api-key} decides when present. */
        private String presentedKeySha256() {
            List<String> apiKey = headers.get("x-api-key");
            if (apiKey != null && !apiKey.isEmpty()) {
                return AcceptedKeys.sha256Hex(apiKey.get(0));
            }
            List<String> authorization = headers.get("authorization");
            if (authorization != null && !authorization.isEmpty()
                    && authorization.get(0).regionMatches(true, 0, "Bearer ", 0, 7)) {
                return AcceptedKeys.sha256Hex(authorization.get(0).substring(7).strip());
            }
            return null;
        }
    }
}
