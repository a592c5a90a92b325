package dev.keywarden.audit.anomaly;

import dev.keywarden.config.AnomalyConfig;
import dev.keywarden.audit.AuditEntry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.keywarden.audit.anomaly.Calls.T0;
import static org.assertj.core.api.Assertions.assertThat;

class UnusualHourDetectorTest {

    private final AnomalyConfig config = Calls.config("anomaly.unusual_hour_min_requests", "200",
            "anomaly.unusual_hour_learning", "7d", "anomaly.unusual_hour_max_share", "0.002",
            "anomaly.timezone", "Europe/Berlin");

    private UnusualHourDetector detector() {
        return new UnusualHourDetector(config.unusualHours(), 100);
    }

    /** Ten calls an hour, 09:00–17:59 Berlin time (08:00–16:59 UTC in November), for {@code days} days. */
    private static List<AuditEntry> officeHours(int days) {
        List<AuditEntry> out = new ArrayList<>();
        for (int d = 0; d < days; d++) {
            for (int h = 8; h < 17; h++) {
                for (int i = 0; i < 10; i++) {
                    out.add(Calls.at(T0.plus(Duration.ofDays(d)).plus(Duration.ofHours(h)).plusSeconds(i * 300L)).entry());
                }
            }
        }
        return out;
    }

    @Test
    void callAtThreeInTheMorningAfterWeeksOfOfficeHoursFires() {
        List<AuditEntry> stream = officeHours(14);
        stream.add(Calls.at(T0.plus(Duration.ofDays(14)).plus(Duration.ofHours(2))).entry()); // 03:00 Berlin
        List<Alert> alerts = Calls.run(detector(), stream);
        assertThat(alerts).hasSize(1);
        assertThat(alerts.getFirst().subject()).isEqualTo("principal:alice");
        assertThat(alerts.getFirst().details()).containsEntry("hour", "03").containsEntry("timezone", "Europe/Berlin")
                .containsEntry("requests_in_this_hour", "0");
    }

    @Test
    void callsWithinUsualHoursStayQuiet() {
        List<AuditEntry> stream = officeHours(21);
        assertThat(Calls.run(detector(), stream)).isEmpty();
    }

    @Test
    void principalWithoutEnoughHistoryStaysQuiet() {
        List<AuditEntry> stream = officeHours(3);
        stream.add(Calls.at(T0.plus(Duration.ofDays(3)).plus(Duration.ofHours(2))).entry());
        assertThat(Calls.run(detector(), stream)).isEmpty();
    }

    @Test
    void failedCallsDoNotTeachOrTriggerTheHistogram() {
        List<AuditEntry> stream = officeHours(14);
        stream.add(Calls.at(T0.plus(Duration.ofDays(14)).plus(Duration.ofHours(2))).status(403).entry());
        assertThat(Calls.run(detector(), stream)).isEmpty();
    }
}
