package dev.keywarden.audit.anomaly;

import java.time.Duration;
import java.time.Instant;

/**
 * A running total per fixed time bucket (a minute, an hour) and an exponentially weighted moving
 * average of the totals of closed buckets (empty buckets count as zero). Records that arrive a
 * little late (their bucket already closed) count towards the current bucket. Not thread-safe.
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
            long empty = b - bucket - 1;
            if (empty > 0) {
                baseline *= Math.pow(1 - alpha, Math.min(empty, 100_000));
            }
            closed = Math.min(closed + 1 + empty, 1_000_000_000L);
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

    /** Closed buckets seen so far, including empty ones. */
    long closedBuckets() {
        return closed;
    }
}
