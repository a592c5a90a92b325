package dev.keywarden.vault;

import dev.keywarden.store.ProviderKeyRecord;
import dev.keywarden.store.ProviderKeyState;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The key list of one environment as last loaded from the store: immutable, so the request path
 * reads it without locks and a refresh swaps it whole. {@link #active} keeps the store's order
 * (priority, then oldest first).
 */
final class KeySnapshot {

    static final KeySnapshot EMPTY = new KeySnapshot(List.of());

    final List<ProviderKeyRecord> active;
    final Set<String> activeIds;
    final Map<String, ProviderKeyRecord> byId;

    KeySnapshot(List<ProviderKeyRecord> ordered) {
        List<ProviderKeyRecord> a = new ArrayList<>();
        Map<String, ProviderKeyRecord> m = new HashMap<>();
        for (ProviderKeyRecord k : ordered) {
            m.put(k.id(), k);
            if (k.state() == ProviderKeyState.ACTIVE) {
                a.add(k);
            }
        }
        this.active = List.copyOf(a);
        this.activeIds = Set.copyOf(a.stream().map(ProviderKeyRecord::id).toList());
        this.byId = Map.copyOf(m);
    }

    /** Whether key {@code id} is listed as revoked. */
    boolean revoked(String id) {
        ProviderKeyRecord k = byId.get(id);
        return k != null && k.state() == ProviderKeyState.REVOKED;
    }
}
