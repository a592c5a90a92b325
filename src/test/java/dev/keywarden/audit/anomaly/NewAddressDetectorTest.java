package dev.keywarden.audit.anomaly;

import dev.keywarden.config.AnomalyConfig;
import dev.keywarden.audit.AuditEntry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.keywarden.audit.anomaly.Calls.T0;
import static org.assertj.core.api.Assertions.assertThat;

class NewAddressDetectorTest {

    private final AnomalyConfig config = Calls.config("anomaly.new_address_learning", "3d", "anomaly.new_address_memory", "4");

    private NewAddressDetector detector() {
        return new NewAddressDetector(config.newAddress(), 100);
    }

    /** Alice calls from her office and her home every hour for {@code days} days. */
    private static List<AuditEntry> usualWeek(int days) {
        List<AuditEntry> out = new ArrayList<>();
        for (int h = 0; h < days * 24; h++) {
            out.add(Calls.at(T0.plus(Duration.ofHours(h))).address(h % 2 == 0 ? "10.0.0.1" : "10.0.0.2").entry());
        }
        return out;
    }

    @Test
    void callFromAnUnseenAddressAfterLearningFires() {
        List<AuditEntry> stream = usualWeek(5);
        stream.add(Calls.at(T0.plus(Duration.ofDays(5))).address("203.0.113.66").entry());
        List<Alert> alerts = Calls.run(detector(), stream);
        assertThat(alerts).hasSize(1);
        Alert alert = alerts.getFirst();
        assertThat(alert.subject()).isEqualTo("principal:alice");
        assertThat(alert.details()).containsEntry("client_address", "203.0.113.66").containsEntry("known_addresses", "2");
        assertThat(alert.credentialId()).isEqualTo("vk_alice");
    }

    @Test
    void callsFromKnownAddressesStayQuiet() {
        assertThat(Calls.run(detector(), usualWeek(14))).isEmpty();
    }

    @Test
    void addressesSeenDuringLearningAreLearnedQuietly() {
        List<AuditEntry> stream = new ArrayList<>();
        stream.add(Calls.at(T0).address("10.0.0.1").entry());
        stream.add(Calls.at(T0.plus(Duration.ofDays(2))).address("10.0.0.9").entry());
        stream.add(Calls.at(T0.plus(Duration.ofDays(4))).address("10.0.0.9").entry());
        assertThat(Calls.run(detector(), stream)).isEmpty();
    }

    @Test
    void anotherPrincipalsAddressIsStillNewForThisOne() {
        List<AuditEntry> stream = usualWeek(5);
        for (int d = 0; d < 5; d++) {
            stream.add(Calls.at(T0.plus(Duration.ofDays(d))).principal("bob").address("198.51.100.1").entry());
        }
        stream.add(Calls.at(T0.plus(Duration.ofDays(6))).address("198.51.100.1").entry());
        assertThat(Calls.run(detector(), stream)).extracting(Alert::subject).containsExactly("principal:alice");
    }

    @Test
    void memoryPerPrincipalIsBounded() {
        NewAddressDetector d = detector();
        List<AuditEntry> stream = usualWeek(4);
        for (int i = 0; i < 1_000; i++) {
            stream.add(Calls.at(T0.plus(Duration.ofDays(4)).plusSeconds(i)).address("198.51.100." + (i % 250)).entry());
        }
        Calls.run(d, stream);
        // the detector keeps only anomaly.new_address_memory addresses per principal
        assertThat(Calls.run(d, List.of(Calls.at(T0.plus(Duration.ofDays(5))).address("10.0.0.1").entry()))).hasSize(1);
    }
}
