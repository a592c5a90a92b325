package dev.keywarden.audit.anomaly;

import java.time.Duration;
import java.time.Instant;

/**
 * A running total per fixed time bucket (a minute, an hour) and an exponentially weighted moving
 * average of the totals of closed <em>active</em> buckets. Buckets without any record are skipped,
 * so the baseline is "the load when the subject is active": nights, weekends and lunch breaks do not
 * pull it towards zero (which would make every return to normal work look like a spike), while a
 * dormant subject that wakes up with an unusual load is still compared with its usual active load.
 * Records that arrive a little late (their bucket already closed) count towards the current bucket.
 * Not thread-safe.
 */
final class BucketBaseline {

    private final long bucketMillis;
    private final double alpha;
    private long bucket = Long.MIN_VALUE;
    private long current;
    private double baseline;
    private long closed;

    /** @param span number of buckets the average mostly reflects (alpha = 2 / (span + 1)) */
    BucketBaseline(Duration bucket, int span) {
        this.bucketMillis = bucket.toMillis();
        this.alpha = 2.0 / (span + 1.0);
    }

    /** Adds {@code amount} at {@code at}; returns the total of the current bucket. */
    long add(Instant at, long amount) {
        long b = Math.floorDiv(at.toEpochMilli(), bucketMillis);
        if (bucket == Long.MIN_VALUE) {
            bucket = b;
        } else if (b > bucket) {
            baseline = closed == 0 ? current : baseline + alpha * (current - baseline);
            closed = Math.min(closed + 1, 1_000_000_000L);
            bucket = b;
            current = 0;
        }
        current += amount;
        return current;
    }

    /** The moving average of closed buckets (0 before the first closed). */
    double baseline() {
        return baseline;
    }

    /** Closed active buckets seen so far. */
    long closedBuckets() {
        return closed;
    }
}
