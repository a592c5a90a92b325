package dev.keywarden.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keywarden.pipeline.ClientIdentity;
import dev.keywarden.pipeline.Cost;
import dev.keywarden.pipeline.ExchangeRecord;
import dev.keywarden.pipeline.GuardReport;
import dev.keywarden.pipeline.RequestSummary;
import dev.keywarden.pipeline.Route;
import dev.keywarden.pipeline.Usage;
import dev.keywarden.pricing.PricingTable;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AuditObserverTest {

    static final RequestSummary REQUEST = new RequestSummary("claude-sonnet-4-5", false, 100, 400);

    static Map<String, Object> fields(ClientIdentity who) {
        Usage usage = new Usage(10, 5, 0, 0, "claude-sonnet-4-5", "end_turn");
        ExchangeRecord r = new ExchangeRecord("req_1", Route.MESSAGES, "POST", "/v1/messages", who, REQUEST, 200, null, 200,
                usage, Cost.of(usage, REQUEST.model(), 200, PricingTable.defaults()), "fp", 1, 1, "127.0.0.1", null, null, false,
                GuardReport.Snapshot.EMPTY);
        return AuditObserver.entry(r, Instant.now()).fields();
    }

    @Test
    void aRefusedCredentialIsRecordedWithTheKindOfRefusalAndAnAcceptedOneWithout() {
        for (dev.keywarden.pipeline.AuthOutcome.Kind kind : dev.keywarden.pipeline.AuthOutcome.Kind.values()) {
            Usage usage = Usage.EMPTY;
            ExchangeRecord r = new ExchangeRecord("req_1", Route.MESSAGES, "POST", "/v1/messages", null, RequestSummary.EMPTY, 401,
                    "authentication_error", 0, usage, Cost.of(usage, null, 0, PricingTable.defaults()), null, 1, 0, "127.0.0.1",
                    null, null, false, GuardReport.Snapshot.EMPTY, false, kind.wireName());
            assertThat(AuditObserver.entry(r, Instant.now()).fields()).containsEntry("auth_failure", kind.wireName());
        }
        assertThat(fields(new ClientIdentity("virtual_key", "vk_1", "kw_ab12cd34", "k", "pr_1", "alice", "user", "pro")))
                .doesNotContainKey("auth_failure");
        assertThat(dev.keywarden.pipeline.AuthOutcome.Kind.UNUSABLE.wireName()).isEqualTo("unusable");
        assertThat(dev.keywarden.pipeline.AuthOutcome.Kind.UNKNOWN.wireName()).isEqualTo("unknown");
    }

    @Test
    void aCallIsRecordedUnderItsPrincipalWithTheCredentialNameBeside() {
        ClientIdentity laptopKeyOfAlice = new ClientIdentity("virtual_key", "vk_1", "kw_ab12cd34", "alice-laptop", "pr_1", "alice",
                "user", "pro");

        Map<String, Object> f = fields(laptopKeyOfAlice);

        assertThat(f).containsEntry("principal", "alice").containsEntry("credential_name", "alice-laptop");
    }

    @Test
    void aCredentialWithoutAPrincipalIsRecordedUnderItsOwnName() {
        Map<String, Object> f = fields(new ClientIdentity("virtual_key", "vk_2", "kw_ef56gh78", "ci-runner"));

        assertThat(f).containsEntry("principal", "ci-runner").containsEntry("credential_name", "ci-runner");
    }
}
