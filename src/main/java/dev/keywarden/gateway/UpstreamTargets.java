package dev.keywarden.gateway;

import java.net.URI;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The upstream URI of a call: the upstream base URL plus the call's path and query. Guarantee: the
 * result is what {@code URI.create(base + path + "?" + query)} gives (and fails the same way); the URIs
 * of paths without a query are parsed once and reused (they are immutable), so the common call —
 * {@code POST /v1/messages} — parses no URI. At most {@link #MAX_CACHED} paths are kept, so clients
 * sending many distinct paths cannot grow the cache.
 */
final class UpstreamTargets {

    static final int MAX_CACHED = 64;

    private final String base;
    private final Map<String, URI> byPath = new ConcurrentHashMap<>();

    UpstreamTargets(String base) {
        this.base = base;
    }

    /**
     * @param query the raw query, or null
     * @throws IllegalArgumentException when the result is not a valid URI
     */
    URI of(String path, String query) {
        if (query != null) {
            return URI.create(base + path + "?" + query);
        }
        URI cached = byPath.get(path);
        if (cached != null) {
            return cached;
        }
        URI uri = URI.create(base + path);
        if (byPath.size() < MAX_CACHED) {
            byPath.putIfAbsent(path, uri);
        }
        return uri;
    }

    int cached() {
        return byPath.size();
    }
}
