package dev.keywarden.audit.anomaly;

import dev.keywarden.config.AnomalyConfig;
import dev.keywarden.audit.AuditEntry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static dev.keywarden.audit.anomaly.Calls.T0;
import static org.assertj.core.api.Assertions.assertThat;

class RateSpikeDetectorTest {

    private final AnomalyConfig config = Calls.config("anomaly.rate_spike_factor", "5", "anomaly.rate_spike_min_requests", "30",
            "anomaly.rate_learning_minutes", "30");

    private RateSpikeDetector detector() {
        return new RateSpikeDetector(config.rateSpike(), 100);
    }

    /** {@code perMinute[i]} calls spread evenly over minute i. */
    private static List<AuditEntry> minutes(int... perMinute) {
        List<AuditEntry> out = new ArrayList<>();
        for (int m = 0; m < perMinute.length; m++) {
            for (int i = 0; i < perMinute[m]; i++) {
                out.add(Calls.at(T0.plus(Duration.ofMinutes(m)).plusMillis(60_000L * i / perMinute[m])).entry());
            }
        }
        return out;
    }

    @Test
    void minuteFarAboveTheBaselineFiresForPrincipalAndProviderKey() {
        int[] counts = new int[41];
        java.util.Arrays.fill(counts, 10);
        counts[40] = 200;
        List<Alert> alerts = Calls.run(detector(), minutes(counts));
        assertThat(alerts).isNotEmpty();
        assertThat(alerts).extracting(Alert::subject).contains("principal:alice", "provider_key:" + Calls.KEY_FP);
        Alert first = alerts.getFirst();
        assertThat(first.detector()).isEqualTo("rate_spike");
        assertThat(first.at()).isAfterOrEqualTo(T0.plus(Duration.ofMinutes(40)));
        assertThat(Long.parseLong(first.details().get("requests_this_minute"))).isGreaterThan(50);
        assertThat(first.credentialId()).isEqualTo("vk_alice");
    }

    @Test
    void noisyButSteadyTrafficStaysQuiet() {
        Random random = new Random(42);
        int[] counts = new int[180];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = 10 + random.nextInt(25);
        }
        assertThat(Calls.run(detector(), minutes(counts))).isEmpty();
    }

    @Test
    void spikeBelowTheMinimumCountStaysQuiet() {
        int[] counts = new int[41];
        java.util.Arrays.fill(counts, 1);
        counts[40] = 30;
        assertThat(Calls.run(detector(), minutes(counts))).isEmpty();
    }

    @Test
    void subjectStillLearningItsBaselineStaysQuiet() {
        int[] counts = new int[10];
        java.util.Arrays.fill(counts, 2);
        counts[9] = 500;
        assertThat(Calls.run(detector(), minutes(counts))).isEmpty();
    }

    @Test
    void returnToUsualLoadAfterASilentNightStaysQuiet() {
        int[] counts = new int[24 * 60 + 120];
        java.util.Arrays.fill(counts, 0, 120, 40);
        java.util.Arrays.fill(counts, 24 * 60, counts.length, 40);
        assertThat(Calls.run(detector(), minutes(counts))).isEmpty();
    }

    @Test
    void dormantSubjectWakingUpWithAFloodFires() {
        int[] counts = new int[24 * 60 + 1];
        java.util.Arrays.fill(counts, 0, 60, 8);
        counts[24 * 60] = 300;
        assertThat(Calls.run(detector(), minutes(counts))).extracting(Alert::subject).contains("principal:alice");
    }
}
