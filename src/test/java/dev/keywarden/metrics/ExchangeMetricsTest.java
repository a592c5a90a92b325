package dev.keywarden.metrics;

import dev.keywarden.pipeline.ClientIdentity;
import dev.keywarden.pipeline.ExchangeRecord;
import dev.keywarden.pipeline.RequestSummary;
import dev.keywarden.pipeline.Route;
import dev.keywarden.pipeline.Usage;
import dev.keywarden.testing.TestKeys;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class ExchangeMetricsTest {

    private static final ClientIdentity ALICE = new ClientIdentity("virtual_key", "vk_1", "kw_ab12", "alice");

    static ExchangeRecord record(RequestSummary request, int status, String errorType, int upstreamStatus, Usage usage,
                                 String providerKey) {
        return new ExchangeRecord("req_1", Route.MESSAGES, "POST", "/v1/messages", ALICE, request, status, errorType,
                upstreamStatus, usage, providerKey, 5_000_000, upstreamStatus == 0 ? 0 : 3_000_000, "10.1.2.3",
                "curl/8", null, false);
    }

    static RequestSummary summary(String model, boolean stream) {
        return new RequestSummary(model, stream, 256, 100);
    }

    static double value(Metrics m, String series) {
        return m.scrape().lines().filter(l -> l.startsWith(series + " ")).mapToDouble(l -> Double.parseDouble(l.substring(series.length() + 1)))
                .findFirst().orElse(Double.NaN);
    }

    @Test
    void aFinishedCallCountsRequestTokensAndBothLatencies() {
        Metrics m = new Metrics();
        m.exchangeObserver().onExchange(record(summary("claude-sonnet-4-5", false), 200, null, 200,
                new Usage(12, 34, 5, 6, "claude-sonnet-4-5", "end_turn"), "fp_abc"));
        assertThat(value(m, "keywarden_requests_total{model=\"claude-sonnet-4-5\",route=\"messages\",status=\"200\"}")).isEqualTo(1);
        assertThat(value(m, "keywarden_tokens_total{model=\"claude-sonnet-4-5\",type=\"input\"}")).isEqualTo(12);
        assertThat(value(m, "keywarden_tokens_total{model=\"claude-sonnet-4-5\",type=\"output\"}")).isEqualTo(34);
        assertThat(value(m, "keywarden_tokens_total{model=\"claude-sonnet-4-5\",type=\"cache_creation\"}")).isEqualTo(5);
        assertThat(value(m, "keywarden_tokens_total{model=\"claude-sonnet-4-5\",type=\"cache_read\"}")).isEqualTo(6);
        assertThat(value(m, "keywarden_request_duration_seconds_count{route=\"messages\"}")).isEqualTo(1);
        assertThat(value(m, "keywarden_upstream_duration_seconds_count{route=\"messages\"}")).isEqualTo(1);
        assertThat(m.scrape()).contains("keywarden_request_duration_seconds_bucket{route=\"messages\",le=\"0.005592405\"}");
    }

    @Test
    void gatewayRefusalsCountByReasonButUpstream429IsAnUpstreamError() {
        Metrics m = new Metrics();
        m.exchangeObserver().onExchange(record(summary("m", false), 429, "rate_limit_error", 0, Usage.EMPTY, null));
        m.exchangeObserver().onExchange(record(summary("m", false), 402, "billing_error", 0, Usage.EMPTY, null));
        m.exchangeObserver().onExchange(record(summary("m", false), 429, "rate_limit_error", 429, Usage.EMPTY, "fp"));
        assertThat(value(m, "keywarden_refusals_total{reason=\"rate_limit\"}")).isEqualTo(1);
        assertThat(value(m, "keywarden_refusals_total{reason=\"budget\"}")).isEqualTo(1);
        assertThat(value(m, "keywarden_upstream_errors_total{type=\"rate_limit_error\"}")).isEqualTo(1);
    }

    @Test
    void upstreamErrorsAreCountedForErrorStatusesStreamErrorsAndUnreachableUpstream() {
        Metrics m = new Metrics();
        m.exchangeObserver().onExchange(record(summary("m", false), 529, "overloaded_error", 529, Usage.EMPTY, "fp"));
        m.exchangeObserver().onExchange(record(summary("m", true), 200, "overloaded_error", 200, Usage.EMPTY, "fp"));
        m.exchangeObserver().onExchange(record(summary("m", false), 502, "api_error", 0, Usage.EMPTY, "fp"));
        m.exchangeObserver().onExchange(record(summary("m", false), 400, "invalid_request_error", 0, Usage.EMPTY, null));
        assertThat(value(m, "keywarden_upstream_errors_total{type=\"overloaded_error\"}")).isEqualTo(2);
        assertThat(value(m, "keywarden_upstream_errors_total{type=\"api_error\"}")).isEqualTo(1);
        assertThat(m.scrape()).doesNotContain("invalid_request_error\"} ");
    }

    @Test
    void aStreamIsActiveFromPreflightUntilItsExchangeIsReported() {
        Metrics m = new Metrics();
        RequestSummary stream = summary("m", true);
        RequestSummary plain = summary("m", false);
        m.streamTracker().check(ALICE, stream);
        m.streamTracker().check(ALICE, plain);
        assertThat(value(m, "keywarden_streams_active")).isEqualTo(1);
        m.exchangeObserver().onExchange(record(summary("m", true), 200, null, 200, Usage.EMPTY, "fp"));
        assertThat(value(m, "keywarden_streams_active")).as("another call's record ends nothing").isEqualTo(1);
        m.exchangeObserver().onExchange(record(stream, 200, null, 200, Usage.EMPTY, "fp"));
        assertThat(value(m, "keywarden_streams_active")).isZero();
    }

    @Test
    void noLabelHoldsAClientAddressRequestIdPrincipalOrKeyShapedModel() {
        Metrics m = new Metrics();
        String key = TestKeys.canaryProviderKey();
        m.exchangeObserver().onExchange(record(summary(key, false), 400, "invalid_request_error", 0, Usage.EMPTY, null));
        m.exchangeObserver().onExchange(record(summary("kw_" + TestKeys.random(30).replace('-', 'a').replace('_', 'b'), false),
                400, "invalid_request_error", 0, Usage.EMPTY, null));
        String text = m.scrape();
        assertThat(text).doesNotContain("sk-ant").doesNotContain("kw_").doesNotContain("10.1.2.3")
                .doesNotContain("req_1").doesNotContain("alice").doesNotContain("fp_abc");
        assertThat(value(m, "keywarden_requests_total{model=\"other\",route=\"messages\",status=\"400\"}")).isEqualTo(2);
    }

    @Test
    void modelLabelsAreCappedSoClientsCannotExplodeCardinality() {
        Metrics m = new Metrics();
        for (int i = 0; i < Metrics.MAX_MODELS + 50; i++) {
            m.exchangeObserver().onExchange(record(summary("made-up-model-" + i, false), 404, "not_found_error", 404, Usage.EMPTY, "fp"));
        }
        long series = m.scrape().lines().filter(l -> l.startsWith("keywarden_requests_total{")).count();
        assertThat(series).isEqualTo(Metrics.MAX_MODELS + 1);
        assertThat(value(m, "keywarden_requests_total{model=\"other\",route=\"messages\",status=\"404\"}")).isEqualTo(50);
    }

    @Test
    void gaugesAndHooksAppearUnderTheirNames() {
        Metrics m = new Metrics().auditQueue(() -> 7).keysOverdue(() -> 2);
        m.recordAuditWrite(Duration.ofMillis(4));
        m.recordCost("claude-sonnet-4-5", 0.25);
        m.recordCost("claude-sonnet-4-5", 0.5);
        assertThat(value(m, "keywarden_audit_queue_depth")).isEqualTo(7);
        assertThat(value(m, "keywarden_provider_keys_overdue")).isEqualTo(2);
        assertThat(value(m, "keywarden_audit_write_duration_seconds_count")).isEqualTo(1);
        assertThat(value(m, "keywarden_cost_usd_total{model=\"claude-sonnet-4-5\"}")).isEqualTo(0.75);
    }

    @Test
    void overdueKeysAreReadAtMostOncePerMinute() {
        int[] reads = {0};
        Metrics m = new Metrics().keysOverdue(() -> ++reads[0]);
        m.scrape();
        m.scrape();
        m.scrape();
        assertThat(reads[0]).isEqualTo(1);
    }
}
