package dev.keywarden.byok;

import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** Keys held for sessions in this process's memory only: nothing reaches disk, and a restart forgets them all. */
final class MemoryHeldKeys implements HeldKeys {

    private record Entry(HeldKey key, long idleMillis, long endsAt, long lastSeen) {
        boolean expired(long now) {
            return now >= endsAt || now - lastSeen >= idleMillis;
        }
    }

    private final Map<String, Entry> held = new ConcurrentHashMap<>();
    private final Clock clock;

    MemoryHeldKeys(Clock clock) {
        this.clock = clock;
    }

    @Override
    public void put(String sessionId, HeldKey key, long idleMillis, long endsAt) {
        long now = clock.millis();
        held.values().removeIf(e -> e.expired(now));
        held.put(sessionId, new Entry(key, idleMillis, endsAt, now));
    }

    @Override
    public Optional<HeldKey> get(String sessionId) {
        long now = clock.millis();
        Entry e = held.get(sessionId);
        if (e == null) {
            return Optional.empty();
        }
        if (e.expired(now)) {
            held.remove(sessionId, e);
            return Optional.empty();
        }
        held.replace(sessionId, e, new Entry(e.key, e.idleMillis, e.endsAt, now));
        return Optional.of(e.key);
    }

    @Override
    public void markInvalid(String sessionId, String keyId) {
        held.computeIfPresent(sessionId, (id, e) -> e.key.keyId().equals(keyId)
                ? new Entry(e.key.asInvalid(), e.idleMillis, e.endsAt, e.lastSeen) : e);
    }

    @Override
    public void remove(String sessionId) {
        held.remove(sessionId);
    }

    @Override
    public boolean removeUser(String userId) {
        return held.values().removeIf(e -> e.key.userId().equals(userId));
    }
}
