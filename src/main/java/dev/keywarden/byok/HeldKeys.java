package dev.keywarden.byok;

import java.util.Optional;

/**
 * Where keys held for a browser session live: this process's memory ({@link MemoryHeldKeys}, {@code state: local}:
 * gone at restart) or Redis ({@link RedisHeldKeys}, {@code state: redis}: any instance serves the session). An entry
 * ends after the idle timeout without use, at the session's absolute end, or when removed (sign-out, delete).
 */
interface HeldKeys {

    /** Holds {@code key} for session {@code sessionId} until {@code idleMillis} without use or {@code endsAt} (epoch ms). */
    void put(String sessionId, HeldKey key, long idleMillis, long endsAt);

    /** The key held for {@code sessionId}, extending its idle timeout; empty when none or expired. */
    Optional<HeldKey> get(String sessionId);

    /** Marks the key held for {@code sessionId} invalid (upstream rejected it), when it is {@code keyId}. */
    void markInvalid(String sessionId, String keyId);

    void remove(String sessionId);

    /** Removes every key held for {@code userId}'s sessions; true when there was one. */
    boolean removeUser(String userId);
}
