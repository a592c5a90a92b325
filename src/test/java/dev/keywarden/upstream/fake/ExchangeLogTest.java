package dev.keywarden.upstream.fake;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExchangeLogTest {

    @Test
    void keepsOnlyTheNewestEntriesButCountsEveryRequest() {
        ExchangeLog log = new ExchangeLog(3, Long.MAX_VALUE);
        for (int i = 0; i < 5; i++) {
            log.begin("GET", "/r" + i, null, Map.of()).complete();
        }

        assertThat(log.snapshot()).extracting(RecordedExchange::path).containsExactly("/r2", "/r3", "/r4");
        assertThat(log.count()).isEqualTo(5);
    }

    @Test
    void dropsOldestEntriesOnceRetainedBodiesExceedTheByteBudget() {
        ExchangeLog log = new ExchangeLog(100, 2_500);
        for (int i = 0; i < 4; i++) {
            ExchangeLog.Entry e = log.begin("POST", "/r" + i, null, Map.of());
            e.responseBody(new byte[1_000]);
            e.complete();
        }

        assertThat(log.snapshot()).extracting(RecordedExchange::path).containsExactly("/r2", "/r3");
    }

    @Test
    void clearForgetsEntriesAndResetsTheCount() {
        ExchangeLog log = new ExchangeLog(10, Long.MAX_VALUE);
        log.begin("GET", "/a", null, Map.of());
        log.clear();

        assertThat(log.snapshot()).isEmpty();
        assertThat(log.count()).isZero();
    }

    @Test
    void streamedBytesAccumulateAndAFailedWriteIsForgotten() {
        ExchangeLog log = new ExchangeLog(10, Long.MAX_VALUE);
        ExchangeLog.Entry e = log.begin("POST", "/v1/messages", null, Map.of("x-a", List.of("1")));
        e.status(200);
        e.append("abc".getBytes());
        int before = e.append("def".getBytes());
        e.truncate(before);

        RecordedExchange r = log.snapshot().get(0);
        assertThat(r.responseBodyText()).isEqualTo("abc");
        assertThat(r.status()).isEqualTo(200);
        assertThat(r.header("X-A")).isEqualTo("1");
        assertThat(r.header("missing")).isNull();
    }

    @Test
    void aSnapshotDoesNotChangeWhenTheExchangeGoesOn() {
        ExchangeLog log = new ExchangeLog(10, Long.MAX_VALUE);
        ExchangeLog.Entry e = log.begin("POST", "/v1/messages", null, Map.of());
        e.append("one".getBytes());
        List<RecordedExchange> snapshot = log.snapshot();
        e.append("two".getBytes());

        assertThat(snapshot.get(0).responseBodyText()).isEqualTo("one");
        assertThat(log.snapshot().get(0).responseBodyText()).isEqualTo("onetwo");
    }
}
