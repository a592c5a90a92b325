package dev.keywarden.upstream.fake;

import java.time.Duration;

/** Counts streams whose client went away before {@code message_stop}, and lets tests wait for them. */
final class StreamCancellations {

    private int count;

    synchronized void record() {
        count++;
        notifyAll();
    }

    synchronized int count() {
        return count;
    }

    synchronized boolean await(int atLeast, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (count < atLeast) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }
}
