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

class TokenUsageDetectorTest {

    private static TokenUsageDetector detector(AnomalyConfig config) {
        return new TokenUsageDetector(config.tokens(), 100);
    }

    private static TokenUsageDetector detector() {
        return detector(Calls.config());
    }

    /** {@code perHour} calls of 1,000–3,000 tokens every hour for {@code hours} hours. */
    private static List<AuditEntry> usual(int hours, int perHour, long seed) {
        Random random = new Random(seed);
        List<AuditEntry> out = new ArrayList<>();
        for (int h = 0; h < hours; h++) {
            for (int i = 0; i < perHour; i++) {
                long in = 800 + random.nextInt(1_500);
                out.add(Calls.at(T0.plus(Duration.ofHours(h)).plusSeconds(i * 3_600L / perHour)).tokens(in, 200 + random.nextInt(500)).entry());
            }
        }
        return out;
    }

    @Test
    void requestFarAboveTheMeanFiresPerRequest() {
        List<AuditEntry> stream = usual(5, 20, 1);
        stream.add(Calls.at(T0.plus(Duration.ofHours(5))).tokens(150_000, 4_000).entry());
        List<Alert> alerts = Calls.run(detector(), stream);
        assertThat(alerts).extracting(Alert::detector).containsOnly("tokens_per_request");
        assertThat(alerts).extracting(Alert::subject).containsExactlyInAnyOrder("principal:alice", "provider_key:" + Calls.KEY_FP);
        assertThat(alerts.getFirst().details()).containsEntry("tokens", "154000");
    }

    @Test
    void usualRequestsStayQuiet() {
        assertThat(Calls.run(detector(), usual(72, 20, 2))).isEmpty();
    }

    @Test
    void requestAboveTheAbsoluteCeilingFiresEvenWithoutHistory() {
        AnomalyConfig config = Calls.config("anomaly.tokens_per_request_max", "100000");
        List<Alert> alerts = Calls.run(detector(config), List.of(Calls.at(T0).tokens(120_000, 1_000).entry()));
        assertThat(alerts).extracting(Alert::detector).containsOnly("tokens_per_request");
        assertThat(alerts.getFirst().details().get("reason")).contains("tokens_per_request_max");
    }

    @Test
    void hourFarAboveTheHourlyBaselineFiresPerHour() {
        List<AuditEntry> stream = usual(48, 20, 3);
        // the same kind of requests, but 400 of them in one hour (about 800k tokens against about 40k usually)
        stream.addAll(usual(1, 400, 4).stream()
                .map(e -> new AuditEntry(e.kind(), e.at().plus(Duration.ofHours(48)), e.fields())).toList());
        List<Alert> alerts = Calls.run(detector(), stream);
        assertThat(alerts).extracting(Alert::detector).containsOnly("tokens_per_hour");
        assertThat(alerts).extracting(Alert::subject).contains("principal:alice");
        assertThat(alerts.getFirst().at()).isAfterOrEqualTo(T0.plus(Duration.ofHours(48)));
    }

    @Test
    void hourAboveTheAbsoluteHourlyCeilingFires() {
        AnomalyConfig config = Calls.config("anomaly.tokens_per_hour_max", "30000");
        List<Alert> alerts = Calls.run(detector(config), usual(1, 20, 5));
        assertThat(alerts).extracting(Alert::detector).contains("tokens_per_hour");
        assertThat(alerts.getFirst().details().get("reason")).contains("tokens_per_hour_max");
    }
}
