package dev.keywarden.audit.anomaly;

import dev.keywarden.config.AnomalyConfig;
import dev.keywarden.audit.AuditEntry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.keywarden.audit.anomaly.Calls.T0;
import static org.assertj.core.api.Assertions.assertThat;

class AuthFailureBurstDetectorTest {

    private final AnomalyConfig config = Calls.config("anomaly.auth_failure_threshold", "10", "anomaly.auth_failure_window", "1m");

    private AuthFailureBurstDetector detector() {
        return new AuthFailureBurstDetector(config.authFailures(), 100);
    }

    @Test
    void tenUnauthenticatedCallsFromOneAddressWithinAMinuteFire() {
        List<AuditEntry> stream = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            stream.add(Calls.at(T0.plusSeconds(i * 3)).principal(null).address("198.51.100.9").status(401).entry());
        }
        List<Alert> alerts = Calls.run(detector(), stream);
        assertThat(alerts).hasSize(1);
        assertThat(alerts.getFirst().subject()).isEqualTo("client_address:198.51.100.9");
        assertThat(alerts.getFirst().details()).containsEntry("failures", "10").containsEntry("last_status", "401");
        assertThat(alerts.getFirst().credentialId()).isNull();
    }

    @Test
    void aBackendOverspendingAKnownTokenRaisesNothingButGuessesFromTheSameAddressDo() {
        List<AuditEntry> stream = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            stream.add(refused(Calls.at(T0.plusSeconds(i)).principal(null).address("198.51.100.20").status(401).entry(), "unusable"));
        }
        assertThat(Calls.run(detector(), stream)).as("fifty 401s for a spent token are not guesses").isEmpty();

        for (int i = 0; i < 10; i++) {
            stream.add(refused(Calls.at(T0.plusSeconds(50 + i)).principal(null).address("198.51.100.20").status(401).entry(), "unknown"));
        }
        assertThat(Calls.run(detector(), stream)).extracting(Alert::subject).containsExactly("client_address:198.51.100.20");
    }

    /** {@code call} as the audit observer writes a call whose credential was refused for a reason of {@code kind}. */
    static AuditEntry refused(AuditEntry call, String kind) {
        java.util.Map<String, Object> f = new java.util.HashMap<>(call.fields());
        f.put("auth_failure", kind);
        return new AuditEntry(call.kind(), call.at(), f);
    }

    @Test
    void repeated403sOfOnePrincipalFromManyAddressesFireForThePrincipal() {
        List<AuditEntry> stream = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            stream.add(Calls.at(T0.plusSeconds(i)).principal("mallory").address("203.0.113." + i).status(403).entry());
        }
        List<Alert> alerts = Calls.run(detector(), stream);
        assertThat(alerts).extracting(Alert::subject).containsOnly("principal:mallory");
        assertThat(alerts.getFirst().credentialId()).isEqualTo("vk_mallory");
    }

    @Test
    void failedAdminLoginsCountForTheirAddress() {
        List<AuditEntry> stream = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            stream.add(Calls.event(T0.plusSeconds(i), "admin.auth_failed", "192.0.2.50"));
        }
        assertThat(Calls.run(detector(), stream)).extracting(Alert::subject).containsExactly("client_address:192.0.2.50");
    }

    @Test
    void failedWebSignInsCountForTheirAddress() {
        List<AuditEntry> stream = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            stream.add(Calls.event(T0.plusSeconds(i), i % 2 == 0 ? "user.sign_in_failed" : "oidc.sign_in_failed", "192.0.2.60"));
        }
        assertThat(Calls.run(detector(), stream)).extracting(Alert::subject).containsExactly("client_address:192.0.2.60");
    }

    @Test
    void occasionalFailuresAmongSuccessesStayQuiet() {
        List<AuditEntry> stream = new ArrayList<>();
        for (int i = 0; i < 3_600; i++) {
            int status = i % 10 == 0 ? 401 : 200;
            stream.add(Calls.at(T0.plus(Duration.ofSeconds(i))).principal(status == 401 ? null : "alice")
                    .address("10.0.0.1").status(status).entry());
        }
        // one failure every 10 s = 6 a minute, below 10 a minute
        assertThat(Calls.run(detector(), stream)).isEmpty();
    }
}
