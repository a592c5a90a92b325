package dev.keywarden.upstream.fake;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The fake's message batches, in memory, oldest first internally, listed newest first.
 *
 * <p>Guarantee: thread-safe; holds at most {@link #MAX_BATCHES} batches, dropping the oldest.
 */
final class BatchStore {

    static final int MAX_BATCHES = 10_000;

    private final LinkedHashMap<String, Batch> batches = new LinkedHashMap<>();

    synchronized void add(Batch batch) {
        batches.put(batch.id(), batch);
        Iterator<Map.Entry<String, Batch>> it = batches.entrySet().iterator();
        while (batches.size() > MAX_BATCHES && it.hasNext()) {
            it.next();
            it.remove();
        }
    }

    synchronized Optional<Batch> get(String id) {
        return Optional.ofNullable(batches.get(id));
    }

    synchronized boolean remove(String id) {
        return batches.remove(id) != null;
    }

    synchronized List<Batch> newestFirst() {
        List<Batch> list = new ArrayList<>(batches.values());
        Collections.reverse(list);
        return list;
    }
}
