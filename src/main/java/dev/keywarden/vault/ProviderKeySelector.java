package dev.keywarden.vault;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.keywarden.audit.SecurityEvent;
import dev.keywarden.store.KeyEnvironment;
import dev.keywarden.store.ProviderKeyRecord;
import dev.keywarden.store.ProviderKeyState;
import dev.keywarden.vault.crypto.SecretCipher;
import dev.keywarden.vault.crypto.VaultException;
import dev.keywarden.vault.crypto.VaultSealedException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The request path of the vault: which provider key serves a call, from the key list last
 * {@linkplain #publish published}, with decrypted keys kept in memory.
 *
 * <p>Guarantees:
 * <ul>
 *   <li>{@link #select} returns the first {@code active} key whose scope allows the route, in the
 *       list's order (priority, then oldest first), skipping keys {@linkplain #distrust distrusted}
 *       in this process; it never returns a pending, draining, revoked or compromised key of the list.</li>
 *   <li>A key is decrypted once per {@code cacheTtl}, not per call; after opening, its SHA-256 must
 *       match the record's fingerprint, else it is not used. A key that leaves the active list loses
 *       its decrypted copy at the next publish.</li>
 *   <li>While the cipher is sealed, {@link #select} throws {@link VaultSealedException}, even for a
 *       cached key. A record that fails to open for another reason raises a (throttled)
 *       {@code provider_key.unreadable} alert and the next key is tried; when none opens, the first
 *       failure is thrown.</li>
 * </ul>
 */
final class ProviderKeySelector {

    private final SecretCipher cipher;
    private final KeyEnvironment environment;
    private final KeyEvents events;
    private final LastUseLog uses;
    private final Cache<String, ProviderKey> opened;
    /** Keys rejected by upstream in this process: never selected again, even if the store write failed. */
    private final Set<String> distrusted = ConcurrentHashMap.newKeySet();
    private volatile KeySnapshot keys = KeySnapshot.EMPTY;

    ProviderKeySelector(SecretCipher cipher, KeyEnvironment environment, KeyEvents events, LastUseLog uses,
                        Duration cacheTtl, Ticker ticker) {
        this.cipher = cipher;
        this.environment = environment;
        this.events = events;
        this.uses = uses;
        this.opened = Caffeine.newBuilder().expireAfterWrite(cacheTtl).maximumSize(1_000).ticker(ticker).build();
    }

    /** The key for a call on {@code route}; empty when no active key of the list allows it. */
    Optional<ProviderKey> select(String route) {
        if (cipher.sealed()) {
            throw new VaultSealedException("the key vault is sealed; unseal it with keywarden vault unseal");
        }
        VaultException firstFailure = null;
        for (ProviderKeyRecord key : keys.active) {
            if (!key.scope().allowsRoute(route) || distrusted.contains(key.id())) {
                continue;
            }
            ProviderKey open;
            try {
                open = open(key);
            } catch (VaultSealedException sealed) {
                throw sealed;
            } catch (VaultException unreadable) {
                unreadable(key, unreadable);
                if (firstFailure == null) {
                    firstFailure = unreadable;
                }
                continue;
            }
            uses.note(key.id());
            return Optional.of(open);
        }
        if (firstFailure != null) {
            throw firstFailure;
        }
        return Optional.empty();
    }

    /**
     * Tries to open every active key this process still trusts (from the cache when it can, so at most
     * one decryption per key per cache TTL), raising the throttled unreadable alert for each that fails.
     */
    KeyHealth health() {
        if (cipher.sealed()) {
            return new KeyHealth(true, 0, 0, 0);
        }
        int active = 0;
        int usable = 0;
        for (ProviderKeyRecord key : keys.active) {
            if (distrusted.contains(key.id())) {
                continue;
            }
            active++;
            try {
                open(key);
                usable++;
            } catch (VaultSealedException sealed) {
                return new KeyHealth(true, 0, 0, 0);
            } catch (VaultException unreadable) {
                unreadable(key, unreadable);
            }
        }
        return new KeyHealth(false, active, usable, active - usable);
    }

    /** The key list {@link #select} currently works from. */
    KeySnapshot keys() {
        return keys;
    }

    /**
     * Makes {@code ordered} (the environment's keys, preferred first) the list {@link #select} works
     * from, and drops the decrypted copy of every key that is not active in it.
     *
     * @return the list it replaced
     */
    KeySnapshot publish(List<ProviderKeyRecord> ordered) {
        KeySnapshot previous = keys;
        KeySnapshot next = new KeySnapshot(ordered);
        keys = next;
        for (ProviderKeyRecord key : next.byId.values()) {
            if (key.state() != ProviderKeyState.ACTIVE) {
                opened.invalidate(key.id());
            }
            if (key.state().isFinal()) {
                distrusted.remove(key.id()); // never active again: nothing left to skip
            }
        }
        for (String cached : List.copyOf(opened.asMap().keySet())) {
            if (!next.activeIds.contains(cached)) {
                opened.invalidate(cached);
            }
        }
        return previous;
    }

    /**
     * Stops selecting key {@code id} in this process at once and drops its decrypted copy.
     *
     * @return true for the first call on that key; false when it was already distrusted
     */
    boolean distrust(String id) {
        if (!distrusted.add(id)) {
            return false;
        }
        opened.invalidate(id);
        return true;
    }

    /** The key {@link #select} would try first for any route, ignoring scope; for alerts naming the next key. */
    Optional<ProviderKeyRecord> firstTrusted() {
        return keys.active.stream().filter(k -> !distrusted.contains(k.id())).findFirst();
    }

    /** Fingerprints, priorities and scopes of the active keys; never a secret. */
    String describe() {
        KeySnapshot s = keys;
        if (s.active.isEmpty()) {
            return "vault: no active provider key for environment " + environment.id();
        }
        StringBuilder sb = new StringBuilder("vault: ").append(s.active.size()).append(" active provider key(s) for ")
                .append(environment.id()).append(':');
        for (ProviderKeyRecord k : s.active) {
            sb.append(' ').append(k.id()).append(" (").append(k.displayFingerprint()).append(", priority ")
                    .append(k.priority()).append(", scope ").append(k.scope().routesText()).append(')');
        }
        return sb.toString();
    }

    /**
     * Why no key of the list can be selected (none active, or every active one distrusted after an upstream
     * rejection), with the count of keys per state; empty while one can. Names no key.
     */
    Optional<String> unusable() {
        KeySnapshot s = keys;
        for (ProviderKeyRecord k : s.active) {
            if (!distrusted.contains(k.id())) {
                return Optional.empty();
            }
        }
        java.util.Map<ProviderKeyState, Integer> byState = new java.util.EnumMap<>(ProviderKeyState.class);
        for (ProviderKeyRecord k : s.byId.values()) {
            byState.merge(distrusted.contains(k.id()) ? ProviderKeyState.COMPROMISED : k.state(), 1, Integer::sum);
        }
        StringBuilder counts = new StringBuilder();
        byState.forEach((state, n) -> counts.append(counts.isEmpty() ? "" : ", ").append(n).append(' ').append(state.id()));
        return Optional.of("no usable provider key for environment " + environment.id()
                + (counts.isEmpty() ? " (the vault holds none)" : " (" + counts + ")")
                + "; an operator must add or activate one (keywarden keys add)");
    }

    /** Drops every decrypted key from memory. */
    void forgetDecrypted() {
        opened.invalidateAll();
    }

    private ProviderKey open(ProviderKeyRecord key) {
        ProviderKey cached = opened.getIfPresent(key.id());
        if (cached != null) {
            return cached;
        }
        return opened.get(key.id(), id -> decrypt(key));
    }

    private ProviderKey decrypt(ProviderKeyRecord key) {
        byte[] plain = cipher.open(key.id(), SealedColumnMapper.toSecret(key.sealed()));
        try {
            if (!ProviderKeyIds.sameFingerprint(ProviderKeyIds.sha256Hex(plain), key.sha256Fingerprint())) {
                throw new VaultException("provider key " + key.id() + " opened to a key whose SHA-256 does not match "
                        + "its record's fingerprint; the record was tampered with: revoke it and add the key again");
            }
            return new ProviderKey(key.id(), new String(plain, StandardCharsets.UTF_8));
        } finally {
            Arrays.fill(plain, (byte) 0);
        }
    }

    private void unreadable(ProviderKeyRecord key, VaultException e) {
        events.recordThrottled("unreadable:" + key.id(), () -> SecurityEvent.alert("provider_key.unreadable", key.id(),
                Map.of("fingerprint", key.displayFingerprint(), "environment", environment.id(),
                        "reason", String.valueOf(e.getMessage()), "action", "skipped; the next active key is used")));
    }
}
