package dev.keywarden.vault;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The calls of this process in flight on each provider key, so that draining can wait for them and
 * an emergency revoke can cut them.
 *
 * <p>Guarantees: {@link #count} counts calls tracked and not yet closed; {@link #cut} runs the abort
 * of every such call on the key, each at most once however often it is cut; a call tracked on a key
 * that is already revoked (selected just before the revoke, tracked just after) is cut at once, so no
 * call slips past a revoke; an abort that throws is logged and does not stop the others.
 */
final class InFlightCalls {

    private static final Logger LOG = LoggerFactory.getLogger(InFlightCalls.class);
    private static final long DRAIN_POLL_MILLIS = 10;

    private final Predicate<String> revoked;
    private final ConcurrentHashMap<String, Set<Call>> calls = new ConcurrentHashMap<>();

    /** @param revoked whether a key id is revoked as far as this process knows */
    InFlightCalls(Predicate<String> revoked) {
        this.revoked = Objects.requireNonNull(revoked, "revoked");
    }

    /** Registers a call on key {@code keyId}; {@code abort} cuts it. Close the result when the call ends. */
    ProviderKeys.InFlight track(String keyId, Runnable abort) {
        Set<Call> set = calls.computeIfAbsent(keyId, id -> ConcurrentHashMap.newKeySet());
        Call call = new Call(set, abort);
        set.add(call);
        // register first, then check: a revoke that swept before we registered has already published its state
        if (revoked.test(keyId)) {
            call.abort();
        }
        return call;
    }

    /** Calls currently in flight on the key. */
    int count(String keyId) {
        Set<Call> set = calls.get(keyId);
        return set == null ? 0 : set.size();
    }

    /**
     * Waits until no call is in flight on the key.
     *
     * @return true when it reached zero; false when {@code timeout} passed first
     */
    boolean awaitDrained(String keyId, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (count(keyId) > 0) {
            if (System.nanoTime() - deadline >= 0) {
                return false;
            }
            Thread.sleep(DRAIN_POLL_MILLIS);
        }
        return true;
    }

    /**
     * Aborts every call in flight on the key that was not aborted before.
     *
     * @return how many calls this cut
     */
    int cut(String keyId) {
        Set<Call> set = calls.get(keyId);
        if (set == null) {
            return 0;
        }
        int n = 0;
        for (Call call : set) {
            if (call.abort()) {
                n++;
            }
        }
        return n;
    }

    /** Forgets the (empty) bookkeeping of keys for which {@code listed} is false, e.g. keys deleted from the store. */
    void forgetIdle(Predicate<String> listed) {
        calls.entrySet().removeIf(e -> e.getValue().isEmpty() && !listed.test(e.getKey()));
    }

    /** One tracked call; closing it unregisters it, aborting it runs the gateway's abort once. */
    private static final class Call implements ProviderKeys.InFlight {
        private final Set<Call> owner;
        private final Runnable abort;
        private final AtomicBoolean aborted = new AtomicBoolean();

        Call(Set<Call> owner, Runnable abort) {
            this.owner = owner;
            this.abort = abort;
        }

        boolean abort() {
            if (!aborted.compareAndSet(false, true)) {
                return false;
            }
            try {
                abort.run();
            } catch (RuntimeException e) {
                LOG.warn("aborting a call in flight on a revoked provider key failed: {}", e.toString());
            }
            return true;
        }

        @Override
        public void close() {
            owner.remove(this);
        }
    }
}
