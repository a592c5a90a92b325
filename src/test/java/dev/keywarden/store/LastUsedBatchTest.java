package dev.keywarden.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class LastUsedBatchTest {

    final List<Map<String, Long>> written = new ArrayList<>();
    final AtomicBoolean storeDown = new AtomicBoolean();
    final LastUsedBatch batch = new LastUsedBatch(times -> {
        if (storeDown.get()) {
            throw new IllegalStateException("database unavailable");
        }
        written.add(Map.copyOf(times));
    });

    @Test
    void timesAreWrittenInOneBatchPerFlushAndOnlyOnce() {
        batch.record("a", 10);
        batch.record("b", 20);

        assertThat(batch.flush()).isEqualTo(2);
        assertThat(batch.flush()).isZero();
        assertThat(written).containsExactly(Map.of("a", 10L, "b", 20L));
    }

    @Test
    void anEarlierTimeNeverReplacesALaterOne() {
        batch.record("a", 20);
        batch.record("a", 10);

        batch.flush();
        assertThat(written).containsExactly(Map.of("a", 20L));
    }

    @Test
    void aFailedWriteKeepsTheTimesForTheNextFlushMergedWithNewerOnes() {
        batch.record("a", 10);
        batch.record("b", 10);
        storeDown.set(true);

        assertThatThrownBy(batch::flush).hasMessage("database unavailable");
        batch.record("a", 30);
        storeDown.set(false);

        assertThat(batch.flush()).isEqualTo(2);
        assertThat(written).containsExactly(Map.of("a", 30L, "b", 10L));
    }

    @Test
    void aTimeRecordedWhileAFlushWritesIsKeptForTheNextFlush() {
        LastUsedBatch[] self = new LastUsedBatch[1];
        List<Map<String, Long>> writes = new ArrayList<>();
        self[0] = new LastUsedBatch(times -> {
            writes.add(Map.copyOf(times));
            if (writes.size() == 1) {
                self[0].record("a", 99); // a request uses the key while the first batch is being written
            }
        });
        self[0].record("a", 10);

        assertThat(self[0].flush()).isEqualTo(1);
        assertThat(self[0].flush()).isEqualTo(1);
        assertThat(writes).containsExactly(Map.of("a", 10L), Map.of("a", 99L));
    }
}
