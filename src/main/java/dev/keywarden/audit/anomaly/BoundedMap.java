package dev.keywarden.audit.anomaly;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * A map that holds at most {@code capacity} entries, forgetting the least recently used one first,
 * so per-subject detector state cannot grow without bound. Not thread-safe.
 */
final class BoundedMap<K, V> extends LinkedHashMap<K, V> {

    private final int capacity;

    BoundedMap(int capacity) {
        super(16, 0.75f, true);
        if (capacity <= 0) {
            throw new IllegalArgumentException("capacity must be positive, was " + capacity);
        }
        this.capacity = capacity;
    }

    V getOrCreate(K key, Function<? super K, ? extends V> create) {
        return computeIfAbsent(key, create);
    }

    @Override
    protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > capacity;
    }
}
