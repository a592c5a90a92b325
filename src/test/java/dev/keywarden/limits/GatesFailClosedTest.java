package dev.keywarden.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keywarden.pipeline.ClientIdentity;
import dev.keywarden.auth.PrincipalService;
import dev.keywarden.config.LimitsConfig;
import dev.keywarden.config.TierLimits;
import dev.keywarden.pipeline.Refusal;
import dev.keywarden.pipeline.RequestSummary;
import dev.keywarden.store.Database;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatesFailClosedTest {

    @TempDir
    Path dir;

    static final ClientIdentity ALICE = new ClientIdentity("virtual_key", "vk_1", "kw_x", "k", "pr_alice", "alice", "user", "free");
    static final RequestSummary REQUEST = new RequestSummary("claude-sonnet-4-5", false, 100, 400);
    static final LimitsConfig LIMITS = new LimitsConfig(true, LimitsConfig.DEFAULT_TIERS, "free", 20, Duration.ofMinutes(15));

    @Test
    void storeThatCannotBeReadRefusesWith503InsteadOfLettingTheCallThrough() {
        Database db = Database.openSqlite(dir);
        PrincipalService principals = new PrincipalService(db, "free", t -> true);
        db.close();
        assertThatThrownBy(() -> new PrincipalGate(principals).check(ALICE, REQUEST))
                .isInstanceOfSatisfying(Refusal.class, r -> assertThat(r.status()).isEqualTo(503));
        assertThatThrownBy(() -> new RateLimitGate(new LocalRateLimiter(), LIMITS, principals).admit(ALICE, REQUEST))
                .isInstanceOfSatisfying(Refusal.class, r -> assertThat(r.status()).isEqualTo(503));
    }

    @Test
    void limiterThatFailsUnexpectedlyRefusesWith503() {
        RateLimiter broken = new RateLimiter() {
            @Override
            public Decision acquire(String subject, TierLimits limits, long in, long out) {
                throw new IllegalStateException("unexpected reply");
            }

            @Override
            public void settle(String subject, TierLimits limits, Decision admitted, long in, long out) {
            }

            @Override
            public long lockedOutMillis(String address) {
                return 0;
            }

            @Override
            public void authFailed(String address, int threshold, long lockoutMillis) {
            }
        };
        assertThatThrownBy(() -> new RateLimitGate(broken, LIMITS, null).admit(ALICE, REQUEST))
                .isInstanceOfSatisfying(Refusal.class, r -> {
                    assertThat(r.status()).isEqualTo(503);
                    assertThat(r.type().wireName()).isEqualTo("api_error");
                });
    }

    @Test
    void estimatesAreBodyBytesOverFourAndMaxTokens() {
        LocalRateLimiter limiter = new LocalRateLimiter();
        var ticket = new RateLimitGate(limiter, LIMITS, null).admit(ALICE, REQUEST);
        assertThat(ticket.responseHeaders().get("RateLimit"))
                .isEqualTo("\"requests\";r=9;t=6, \"input-tokens\";r=19900;t=1, \"output-tokens\";r=3900;t=2");
    }
}
