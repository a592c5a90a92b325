package dev.keywarden.vault;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Counting, draining and cutting calls per key, on their own. */
class InFlightCallsTest {

    final Set<String> revoked = ConcurrentHashMap.newKeySet();
    final InFlightCalls calls = new InFlightCalls(revoked::contains);

    @Test
    void aCallCountsOnItsKeyUntilItClosesAndClosingTwiceIsHarmless() {
        ProviderKeys.InFlight first = calls.track("pk_a", () -> { });
        ProviderKeys.InFlight second = calls.track("pk_a", () -> { });
        calls.track("pk_b", () -> { });

        assertThat(calls.count("pk_a")).isEqualTo(2);
        assertThat(calls.count("pk_b")).isEqualTo(1);
        assertThat(calls.count("pk_unknown")).isZero();

        first.close();
        first.close();
        assertThat(calls.count("pk_a")).isEqualTo(1);
        second.close();
        assertThat(calls.count("pk_a")).isZero();
    }

    @Test
    void cutAbortsEveryOpenCallOfThatKeyOnceAndNoOtherCall() {
        AtomicInteger abortedOnA = new AtomicInteger();
        AtomicInteger abortedOnB = new AtomicInteger();
        calls.track("pk_a", abortedOnA::incrementAndGet);
        calls.track("pk_a", abortedOnA::incrementAndGet);
        calls.track("pk_a", abortedOnA::incrementAndGet).close(); // finished before the cut
        calls.track("pk_b", abortedOnB::incrementAndGet);

        assertThat(calls.cut("pk_a")).isEqualTo(2);
        assertThat(calls.cut("pk_a")).as("a second cut finds nothing left to abort").isZero();

        assertThat(abortedOnA).hasValue(2);
        assertThat(abortedOnB).hasValue(0);
        assertThat(calls.cut("pk_unknown")).isZero();
    }

    @Test
    void aCallTrackedOnAKeyAlreadyRevokedIsCutAsItRegisters() {
        revoked.add("pk_a");
        AtomicInteger aborted = new AtomicInteger();

        calls.track("pk_a", aborted::incrementAndGet);
        calls.track("pk_b", aborted::incrementAndGet);

        assertThat(aborted).hasValue(1);
        assertThat(calls.cut("pk_a")).as("already aborted once").isZero();
    }

    @Test
    void anAbortThatThrowsDoesNotStopTheOtherCallsBeingCut() {
        AtomicInteger aborted = new AtomicInteger();
        calls.track("pk_a", () -> {
            throw new IllegalStateException("the connection was already gone");
        });
        calls.track("pk_a", aborted::incrementAndGet);

        assertThat(calls.cut("pk_a")).isEqualTo(2);
        assertThat(aborted).hasValue(1);
    }

    @Test
    void awaitDrainedReturnsAtOnceWithNothingInFlightAndFalseWhenTheTimeoutPassesFirst() throws Exception {
        assertThat(calls.awaitDrained("pk_a", Duration.ZERO)).isTrue();

        ProviderKeys.InFlight open = calls.track("pk_a", () -> { });
        assertThat(calls.awaitDrained("pk_a", Duration.ZERO)).isFalse();
        open.close();
        assertThat(calls.awaitDrained("pk_a", Duration.ZERO)).isTrue();
    }

    @Test
    void awaitDrainedReturnsOnceTheLastCallClosesOnAnotherThread() throws Exception {
        ProviderKeys.InFlight first = calls.track("pk_a", () -> { });
        ProviderKeys.InFlight second = calls.track("pk_a", () -> { });
        CountDownLatch waiting = new CountDownLatch(1);
        AtomicBoolean drained = new AtomicBoolean();
        Thread waiter = Thread.ofVirtual().start(() -> {
            waiting.countDown();
            try {
                drained.set(calls.awaitDrained("pk_a", Duration.ofSeconds(30)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        assertThat(waiting.await(5, TimeUnit.SECONDS)).isTrue();

        first.close();
        assertThat(waiter.isAlive()).as("one call is still in flight").isTrue();
        second.close();

        assertThat(waiter.join(Duration.ofSeconds(5))).isTrue();
        assertThat(drained).isTrue();
    }

    @Test
    void forgettingIdleKeysKeepsCallsStillInFlight() {
        ProviderKeys.InFlight open = calls.track("pk_deleted_elsewhere", () -> { });
        calls.track("pk_gone", () -> { }).close();

        calls.forgetIdle(id -> false);

        assertThat(calls.count("pk_deleted_elsewhere")).isEqualTo(1);
        AtomicInteger aborted = new AtomicInteger();
        calls.track("pk_gone", aborted::incrementAndGet);
        assertThat(calls.cut("pk_gone")).isEqualTo(1);
        open.close();
    }
}
