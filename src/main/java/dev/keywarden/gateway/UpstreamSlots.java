package dev.keywarden.gateway;

import dev.keywarden.pipeline.ErrorType;
import dev.keywarden.pipeline.Refusal;

import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The cap on calls in flight towards the upstream ({@code upstream.max_connections}; over HTTP/1.1 each
 * holds one upstream connection). Guarantee: a call never waits in a queue behind the cap. When every
 * slot is taken the next call is refused at once with 529 {@code overloaded_error} and
 * {@code retry-after: 1} — the status and type Anthropic itself answers when it is overloaded, which the
 * official SDKs and Claude Code already retry with back-off — instead of waiting, possibly for minutes,
 * until a long stream ends and frees a connection. A slot is freed exactly once, when the call's upstream
 * exchange ends (completed, failed or aborted), including after a retry on a backup key.
 */
final class UpstreamSlots {

    /** The refusal's {@code retry-after}, in seconds: slots free up as calls end. */
    static final String RETRY_AFTER_SECONDS = "1";

    private final int cap;
    private final AtomicInteger used = new AtomicInteger();

    UpstreamSlots(int cap) {
        if (cap < 1) {
            throw new IllegalArgumentException("the cap must be at least 1 but was " + cap);
        }
        this.cap = cap;
    }

    /**
     * Takes a slot for one call.
     *
     * @return the slot; {@link Slot#release()} frees it (further calls do nothing)
     * @throws Refusal 529 {@code overloaded_error} when all {@code cap} slots are taken
     */
    Slot acquire() {
        int n;
        do {
            n = used.get();
            if (n >= cap) {
                throw new Refusal(529, ErrorType.OVERLOADED, "the gateway is at its limit of " + cap
                        + " concurrent upstream calls (upstream.max_connections); retry shortly",
                        Map.of("retry-after", RETRY_AFTER_SECONDS));
            }
        } while (!used.compareAndSet(n, n + 1));
        return new Slot();
    }

    /** Slots taken now. */
    int inUse() {
        return used.get();
    }

    /** One call's hold on the cap. */
    final class Slot {
        private final AtomicBoolean released = new AtomicBoolean();

        private Slot() {
        }

        /** Frees the slot; only the first call counts. */
        void release() {
            if (released.compareAndSet(false, true)) {
                used.decrementAndGet();
            }
        }
    }
}
