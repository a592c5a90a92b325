package dev.keywarden.pipeline;

import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.util.Callback;
import dev.keywarden.testing.CollectingSink;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** The engine on its own: stage order, the one refusal path, the one end, the strict-audit veto. */
class PipelineTest {

    static final ClientIdentity ALICE = new ClientIdentity("virtual_key", "vk_1", "kw_ab12", "alice");
    static final byte[] BODY = "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":5,\"messages\":[]}".getBytes(StandardCharsets.UTF_8);

    /** Everything the sink saw, in order, next to what the observers saw. */
    final List<String> events = new CopyOnWriteArrayList<>();

    ExchangeObserver recording(List<ExchangeRecord> into) {
        return r -> {
            events.add("observed " + r.status());
            into.add(r);
        };
    }

    static ExchangeObserver failingRequired() {
        return new ExchangeObserver() {
            @Override
            public void onExchange(ExchangeRecord record) {
                throw new IllegalStateException("audit store down");
            }

            @Override
            public boolean required() {
                return true;
            }
        };
    }

    CollectingSink run(Pipeline pipeline) {
        CollectingSink sink = new CollectingSink(events::add);
        pipeline.run(new Pipeline.Call(Route.MESSAGES, "POST", "/v1/messages", null, HttpFields.EMPTY, "192.0.2.1", ALICE, null,
                BODY), sink);
        return sink;
    }

    CollectingSink runTokens(Pipeline pipeline) {
        CollectingSink sink = new CollectingSink(events::add);
        pipeline.run(new Pipeline.Call(Route.TOKENS_CREATE, "POST", "/v1/keywarden/tokens", null, HttpFields.EMPTY, "192.0.2.1",
                ALICE, null, "{}".getBytes(StandardCharsets.UTF_8)), sink);
        return sink;
    }

    /** A last stage standing in for the upstream relay: writes one chunk, then ends the call. */
    static Stage answeringUpstream() {
        return x -> {
            x.upstreamAnswered(200);
            x.sink().status(200);
            x.sink().write(false, ByteBuffer.wrap("partial ".getBytes(StandardCharsets.UTF_8)), Callback.NOOP);
            x.complete((sink, done) -> sink.write(true, ByteBuffer.wrap("end".getBytes(StandardCharsets.UTF_8)), done));
            return true;
        };
    }

    static Pipeline.Builder base() {
        return Pipeline.builder().readBody(1024).afterBody(Stages.JSON_CHECK);
    }

    @Test
    void stagesRunInTheOrderListedAndNoneAfterTheOneThatTookTheCallOver() {
        List<String> ran = new ArrayList<>();
        Pipeline p = Pipeline.builder()
                .beforeBody(x -> ran.add("before") && false)
                .readBody(1024)
                .afterBody(x -> ran.add("first") && false)
                .afterBody(x -> ran.add("second") && false)
                .afterBody(answeringUpstream())
                .afterBody(x -> ran.add("never") && false)
                .build();
        CollectingSink sink = run(p);
        assertThat(ran).containsExactly("before", "first", "second");
        assertThat(sink.text()).isEqualTo("partial end");
        assertThat(sink.succeeded()).isTrue();
    }

    @Test
    void everyRefusalCarriesItsOwnHeadersWhicheverStageRefuses() {
        CredentialGuard scope = new CredentialGuard() {
            @Override
            public void checkScope(ClientIdentity identity, Route route, String origin, RequestSummary request) {
                throw new Refusal(403, ErrorType.PERMISSION, "outside the token's scope", Map.of("x-scope", "models"));
            }

            @Override
            public void consume(ClientIdentity identity) {
            }
        };
        CollectingSink scoped = run(base().afterBody(Stages.credentialScope(scope)).afterBody(answeringUpstream()).build());
        assertThat(scoped.status()).isEqualTo(403);
        assertThat(scoped.header("x-scope")).isEqualTo("models");

        LocalEndpoint endpoint = (identity, body) -> {
            throw new Refusal(429, ErrorType.RATE_LIMIT, "slow down", Map.of("retry-after", "7"));
        };
        CollectingSink local = runTokens(base().afterBody(Stages.localEndpoints(Map.of(Route.TOKENS_CREATE, endpoint)))
                .afterBody(answeringUpstream()).build());
        assertThat(local.status()).isEqualTo(429);
        assertThat(local.header("retry-after")).isEqualTo("7");

        CollectingSink spent = run(base().afterBody(Stages.spendUse(new CredentialGuard() {
            @Override
            public void checkScope(ClientIdentity identity, Route route, String origin, RequestSummary request) {
            }

            @Override
            public void consume(ClientIdentity identity) {
                throw new Refusal(401, ErrorType.AUTHENTICATION, "no use left", Map.of("x-uses", "0"));
            }
        })).afterBody(answeringUpstream()).build());
        assertThat(spent.header("x-uses")).isEqualTo("0");
        assertThat(spent.text()).contains("\"type\":\"authentication_error\"").contains("no use left");
    }

    @Test
    void anAdmittedCallKeepsItsAdmissionHeadersOnARefusalByALaterStage() {
        Admission admission = (identity, request) -> new Admission.Ticket() {
            @Override
            public Map<String, String> responseHeaders() {
                return Map.of("RateLimit", "\"requests\";r=4;t=60");
            }

            @Override
            public void finish(ExchangeRecord record) {
                events.add("settled " + record.status());
            }
        };
        List<ExchangeRecord> records = new ArrayList<>();
        CollectingSink sink = run(base().afterBody(Stages.admit(admission))
                .afterBody(x -> {
                    throw new Refusal(503, ErrorType.API, "no provider key");
                })
                .observe(recording(records)).build());
        assertThat(sink.header("RateLimit")).isEqualTo("\"requests\";r=4;t=60");
        assertThat(events).containsExactly("settled 503", "observed 503", "last write");
    }

    @Test
    void observersSeeEveryCallBeforeItsLastBytesAreWritten() {
        List<ExchangeRecord> records = new ArrayList<>();
        run(base().afterBody(answeringUpstream()).observe(recording(records)).build());
        assertThat(events).containsExactly("write", "observed 200", "last write");

        events.clear();
        run(base().afterBody(x -> {
            throw new Refusal(402, ErrorType.BILLING, "budget spent");
        }).observe(recording(records)).build());
        assertThat(events).containsExactly("observed 402", "last write");

        events.clear();
        runTokens(base().afterBody(Stages.localEndpoints(Map.of(Route.TOKENS_CREATE, (i, b) -> new LocalEndpoint.Answer(201,
                "{\"token\":\"kw_tmp_x\"}".getBytes(StandardCharsets.UTF_8))))).afterBody(answeringUpstream())
                .observe(recording(records)).build());
        assertThat(events).containsExactly("observed 201", "last write");
        assertThat(records).extracting(ExchangeRecord::status).containsExactly(200, 402, 201);
    }

    @Test
    void aVetoTurnsALocalAnswerNotYetSentIntoA503WithoutTheAnswer() {
        CollectingSink sink = runTokens(base().afterBody(Stages.localEndpoints(Map.of(Route.TOKENS_CREATE, (i, b) -> new LocalEndpoint.Answer(201,
                "{\"token\":\"kw_tmp_secret\"}".getBytes(StandardCharsets.UTF_8))))).afterBody(answeringUpstream())
                .observe(failingRequired()).build());
        assertThat(sink.status()).isEqualTo(503);
        assertThat(sink.text()).doesNotContain("kw_tmp_secret").contains("audit.mode: strict");
        assertThat(sink.succeeded()).isTrue();
    }

    @Test
    void aVetoTurnsARefusalIntoA503() {
        CollectingSink sink = run(base().afterBody(x -> {
            throw new Refusal(429, ErrorType.RATE_LIMIT, "slow down", Map.of("retry-after", "3"));
        }).observe(failingRequired()).build());
        assertThat(sink.status()).isEqualTo(503);
        assertThat(sink.text()).contains("api_error").doesNotContain("slow down");
    }

    @Test
    void aVetoAbortsAResponseAlreadyUnderWayInsteadOfCompletingIt() {
        CollectingSink sink = run(base().afterBody(answeringUpstream()).observe(failingRequired()).build());
        assertThat(sink.text()).as("the last bytes are never written").isEqualTo("partial ");
        assertThat(sink.succeeded()).isFalse();
        assertThat(sink.failure()).hasMessage("audit store down");
    }

    @Test
    void anObserverThatIsNotRequiredCannotVeto() {
        ExchangeObserver failing = r -> {
            throw new IllegalStateException("metrics broke");
        };
        CollectingSink sink = run(base().afterBody(answeringUpstream()).observe(failing).build());
        assertThat(sink.text()).isEqualTo("partial end");
        assertThat(sink.succeeded()).isTrue();
    }

    @Test
    void aStageThatFailsIsRefusedAs500AndTheCallStillEndsOnce() {
        List<ExchangeRecord> records = new ArrayList<>();
        CollectingSink sink = run(base().afterBody(x -> {
            throw new IllegalStateException("bug: " + new String(x.body(), StandardCharsets.UTF_8));
        }).observe(recording(records)).build());
        assertThat(sink.status()).isEqualTo(500);
        assertThat(sink.text()).contains("api_error").doesNotContain("bug");
        assertThat(records).hasSize(1);
    }

    @Test
    void aBodyOverTheLimitIsRefusedWith413BeforeAnyAfterBodyStage() {
        List<String> ran = new ArrayList<>();
        Pipeline p = Pipeline.builder().readBody(10).afterBody(x -> ran.add("after") && false).afterBody(answeringUpstream()).build();
        CollectingSink sink = run(p);
        assertThat(sink.status()).isEqualTo(413);
        assertThat(ran).isEmpty();
    }

    @Test
    void onlyAnUnknownCredentialCountsTowardTheLockoutAKnownButUnusableOneIsRefusedWithoutCounting() {
        List<String> failures = new ArrayList<>();
        AddressGuard lockout = new AddressGuard() {
            @Override
            public long lockedForSeconds(String address) {
                return 0;
            }

            @Override
            public void failed(String address) {
                failures.add(address);
            }
        };
        Authenticator authenticator = presented -> switch (presented) {
            case "spent" -> new AuthOutcome.Rejected("this token has no uses left", AuthOutcome.Kind.UNUSABLE);
            case "legacy" -> new AuthOutcome.Rejected("invalid virtual key");
            default -> new AuthOutcome.Rejected("invalid virtual key", AuthOutcome.Kind.UNKNOWN);
        };
        Pipeline p = Pipeline.builder().beforeBody(Stages.authenticate(authenticator, lockout)).readBody(1024)
                .afterBody(answeringUpstream()).build();
        Map<String, String> from = Map.of("spent", "192.0.2.1", "guess", "192.0.2.2", "legacy", "192.0.2.3");
        for (String credential : List.of("spent", "guess", "legacy")) {
            CollectingSink sink = new CollectingSink(events::add);
            p.run(new Pipeline.Call(Route.MESSAGES, "POST", "/v1/messages", null, HttpFields.EMPTY, from.get(credential),
                    null, credential, BODY), sink);
            assertThat(sink.status()).isEqualTo(401);
        }
        assertThat(failures).as("the spent token is not counted; a guess and a one-argument refusal are")
                .containsExactly("192.0.2.2", "192.0.2.3");
    }
}
