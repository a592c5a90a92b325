package dev.keywarden.gateway;

import org.junit.jupiter.api.Test;

import java.net.URI;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UpstreamTargetsTest {

    private final UpstreamTargets targets = new UpstreamTargets("https://api.example.test/base");

    @Test
    void aPathWithoutQueryIsParsedOnceAndTheSameUriServesEveryCall() {
        URI first = targets.of("/v1/messages", null);
        assertThat(first).isEqualTo(URI.create("https://api.example.test/base/v1/messages"));
        assertThat(targets.of("/v1/messages", null)).isSameAs(first);
    }

    @Test
    void aQueryIsParsedPerCallAndNeverCached() {
        assertThat(targets.of("/v1/models", "limit=5")).isEqualTo(URI.create("https://api.example.test/base/v1/models?limit=5"));
        assertThat(targets.cached()).isZero();
        assertThatThrownBy(() -> targets.of("/v1/models", "a=%zz|")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void manyDistinctPathsDoNotGrowTheCacheBeyondItsBound() {
        for (int i = 0; i < UpstreamTargets.MAX_CACHED * 3; i++) {
            assertThat(targets.of("/v1/messages/batches/msgbatch_" + i, null).getPath()).endsWith("msgbatch_" + i);
        }
        assertThat(targets.cached()).isEqualTo(UpstreamTargets.MAX_CACHED);
    }
}
