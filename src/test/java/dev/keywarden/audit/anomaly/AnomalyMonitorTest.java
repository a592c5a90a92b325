package dev.keywarden.audit.anomaly;

import dev.keywarden.config.AnomalyConfig;
import dev.keywarden.audit.AuditEntry;
import dev.keywarden.audit.SecurityEvent;
import org.junit.jupiter.api.Test;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static dev.keywarden.audit.anomaly.Calls.T0;
import static org.assertj.core.api.Assertions.assertThat;

class AnomalyMonitorTest {

    private final List<Alert> alerts = new CopyOnWriteArrayList<>();

    /** {@code n} failed calls from one address, one a second from {@code start}. */
    private static List<AuditEntry> failures(Instant start, int n, String principal, int status) {
        List<AuditEntry> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(Calls.at(start.plusSeconds(i)).principal(principal).address("198.51.100.9").status(status).entry());
        }
        return out;
    }

    private static void feed(AnomalyMonitor monitor, List<AuditEntry> entries) throws InterruptedException {
        entries.forEach(monitor::observe);
        assertThat(monitor.awaitIdle(Duration.ofSeconds(10))).isTrue();
    }

    @Test
    void alertIsRaisedOncePerDetectorAndSubjectPerCooldown() throws Exception {
        AnomalyConfig config = Calls.config("anomaly.alert_cooldown", "15m");
        try (AnomalyMonitor monitor = AnomalyMonitor.start(config, List.of(alerts::add), KeySuspender.NONE)) {
            feed(monitor, failures(T0, 40, null, 401));
            assertThat(alerts).hasSize(1);
            feed(monitor, failures(T0.plus(Duration.ofMinutes(10)), 40, null, 401));
            assertThat(alerts).hasSize(1);
            feed(monitor, failures(T0.plus(Duration.ofMinutes(16)), 40, null, 401));
            assertThat(alerts).hasSize(2);
            assertThat(monitor.alertsRaised()).isEqualTo(2);
        }
        assertThat(alerts).extracting(Alert::subject).containsOnly("client_address:198.51.100.9");
    }

    @Test
    void alertsReachTheAuditTrailAsAnomalyEventsAndAreNotLearnedFromAgain() throws Exception {
        List<SecurityEvent> recorded = new CopyOnWriteArrayList<>();
        AnomalyMonitor[] self = new AnomalyMonitor[1];
        // the trail's events are fed back into the monitor, as the gateway does with every event
        AuditTrailAlertSink toTrail = new AuditTrailAlertSink(e -> {
            recorded.add(e);
            self[0].observe(AuditEntry.of(e));
        });
        AnomalyConfig config = Calls.config("anomaly.alert_cooldown", "1ms");
        try (AnomalyMonitor monitor = AnomalyMonitor.start(config, List.of(toTrail), KeySuspender.NONE)) {
            self[0] = monitor;
            feed(monitor, failures(T0, 10, "mallory", 403));
            Thread.sleep(50);
            assertThat(monitor.awaitIdle(Duration.ofSeconds(5))).isTrue();
        }
        assertThat(recorded).extracting(SecurityEvent::type).containsOnly("anomaly.auth_failures");
        assertThat(recorded).extracting(SecurityEvent::subject)
                .containsExactlyInAnyOrder("client_address:198.51.100.9", "principal:mallory");
        assertThat(recorded).allSatisfy(e -> assertThat(e.alert()).isTrue());
        assertThat(recorded).filteredOn(e -> e.subject().equals("principal:mallory"))
                .allSatisfy(e -> assertThat(e.details()).containsEntry("credential_id", "vk_mallory"));
    }

    @Test
    void suspendKeyActionSuspendsTheCredentialOfTheAlertOnce() throws Exception {
        List<String> suspended = new CopyOnWriteArrayList<>();
        AnomalyConfig config = Calls.config("anomaly.suspend_key", "true");
        try (AnomalyMonitor monitor = AnomalyMonitor.start(config, List.of(alerts::add),
                (credentialId, reason) -> suspended.add(credentialId + " " + reason.type()))) {
            feed(monitor, failures(T0, 30, "mallory", 403));
        }
        assertThat(suspended).containsExactly("vk_mallory anomaly.auth_failures");
    }

    @Test
    void suspendActionIsLimitedToTheListedDetectors() throws Exception {
        List<String> suspended = new CopyOnWriteArrayList<>();
        AnomalyConfig config = Calls.config("anomaly.suspend_key", "true", "anomaly.suspend_on", "rate_spike, tokens_per_request");
        try (AnomalyMonitor monitor = AnomalyMonitor.start(config, List.of(alerts::add),
                (credentialId, reason) -> suspended.add(credentialId))) {
            feed(monitor, failures(T0, 30, "mallory", 403));
        }
        assertThat(alerts).extracting(Alert::detector).contains("auth_failures");
        assertThat(suspended).isEmpty();
    }

    @Test
    void outOfOrderRecordDoesNotReopenTheCooldown() throws Exception {
        try (AnomalyMonitor monitor = AnomalyMonitor.start(AnomalyConfig.defaults(), List.of(alerts::add), KeySuspender.NONE)) {
            feed(monitor, failures(T0.plus(Duration.ofMinutes(20)), 10, null, 401));
            feed(monitor, failures(T0.plus(Duration.ofMinutes(19)), 10, null, 401));
        }
        assertThat(alerts).hasSize(1);
    }

    @Test
    void withoutTheSuspendActionNoKeyIsSuspended() throws Exception {
        List<String> suspended = new CopyOnWriteArrayList<>();
        try (AnomalyMonitor monitor = AnomalyMonitor.start(AnomalyConfig.defaults(), List.of(alerts::add),
                (credentialId, reason) -> suspended.add(credentialId))) {
            feed(monitor, failures(T0, 30, "mallory", 403));
        }
        assertThat(alerts).isNotEmpty();
        assertThat(suspended).isEmpty();
    }

    @Test
    void observeNeverBlocksAndCountsSkippedRecordsWhenDetectionFallsBehind() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AlertSink stuck = alert -> {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
        AnomalyConfig config = Calls.config("anomaly.queue_size", "5");
        try (AnomalyMonitor monitor = AnomalyMonitor.start(config, List.of(stuck), KeySuspender.NONE)) {
            long start = System.nanoTime();
            failures(T0, 1_000, null, 401).forEach(monitor::observe);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            assertThat(monitor.dropped()).isGreaterThan(900);
            release.countDown();
        }
    }

    @Test
    void disabledMonitorIgnoresEverything() throws Exception {
        try (AnomalyMonitor monitor = AnomalyMonitor.start(Calls.config("anomaly.enabled", "false"), List.of(alerts::add),
                KeySuspender.NONE)) {
            feed(monitor, failures(T0, 30, null, 401));
        }
        assertThat(alerts).isEmpty();
    }

    @Test
    void failingSinkDoesNotStopOtherSinksOrDetection() throws Exception {
        AlertSink broken = alert -> {
            throw new IllegalStateException("receiver down");
        };
        try (AnomalyMonitor monitor = AnomalyMonitor.start(AnomalyConfig.defaults(), List.of(broken, alerts::add),
                KeySuspender.NONE)) {
            feed(monitor, failures(T0, 10, null, 401));
            feed(monitor, failures(T0.plus(Duration.ofHours(1)), 10, null, 401));
        }
        assertThat(alerts).hasSize(2);
    }

    @Test
    void logLineOfAnAlertNeverContainsAKeyShape() {
        byte[] random = new byte[64];
        new SecureRandom().nextBytes(random);
        String canary = "sk-ant-api03-" + Base64.getUrlEncoder().withoutPadding().encodeToString(random) + "AA";
        Alert alert = new Alert("new_address", "principal:" + canary, T0, Map.of("client_address", "x\nFAKE LINE " + canary),
                "vk_1");
        String line = LogAlertSink.line(alert);
        assertThat(line).doesNotContain(canary).doesNotContain(canary.substring(13, 30)).doesNotContain("\n");
        assertThat(line).contains("anomaly.new_address").contains("credential_id=vk_1");
    }
}
