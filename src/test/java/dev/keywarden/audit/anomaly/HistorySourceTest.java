package dev.keywarden.audit.anomaly;

import dev.keywarden.config.AnomalyConfig;
import dev.keywarden.audit.AuditEntry;
import dev.keywarden.audit.AuditStore;
import dev.keywarden.audit.AuditTrail;
import dev.keywarden.auth.ServerSecret;
import dev.keywarden.store.Database;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static dev.keywarden.audit.anomaly.Calls.T0;
import static org.assertj.core.api.Assertions.assertThat;

class HistorySourceTest {

    @TempDir
    Path dir;
    Database db;
    AuditStore store;

    @BeforeEach
    void open() {
        db = Database.openSqlite(dir);
        store = new AuditStore(db);
        // ten days of Alice calling from her office, including a 401 burst from a scanner on day 2
        try (AuditTrail trail = AuditTrail.start(store, ServerSecret.loadOrCreate(dir), "main", AuditTrail.Options.defaults(), List.of())) {
            for (int h = 0; h < 240; h++) {
                trail.append(Calls.at(T0.plus(Duration.ofHours(h))).address("10.0.0.1").entry());
            }
            for (int i = 0; i < 30; i++) {
                trail.append(Calls.at(T0.plus(Duration.ofDays(2)).plusSeconds(i)).principal(null).address("198.51.100.9")
                        .status(401).entry());
            }
        }
    }

    @AfterEach
    void close() {
        db.close();
    }

    private final List<Alert> alerts = new CopyOnWriteArrayList<>();

    private List<Alert> run(HistorySource history, AuditEntry live) throws InterruptedException {
        try (AnomalyMonitor monitor = AnomalyMonitor.start(AnomalyConfig.defaults(), List.of(alerts::add), KeySuspender.NONE, history)) {
            monitor.observe(live);
            assertThat(monitor.awaitIdle(Duration.ofSeconds(20))).isTrue();
        }
        return new ArrayList<>(alerts);
    }

    @Test
    void storedHistoryEndsTheLearningPeriodSoANewAddressAfterARestartFires() throws Exception {
        AuditEntry live = Calls.at(T0.plus(Duration.ofDays(10))).address("203.0.113.66").entry();
        List<Alert> raised = run(HistorySource.fromStore(store, T0.minus(Duration.ofDays(1))), live);
        assertThat(raised).extracting(Alert::detector).containsExactly("new_address");
    }

    @Test
    void withoutHistoryTheSameCallIsOnlyLearned() throws Exception {
        AuditEntry live = Calls.at(T0.plus(Duration.ofDays(10))).address("203.0.113.66").entry();
        assertThat(run(HistorySource.NONE, live)).isEmpty();
    }

    @Test
    void replayingHistoryRaisesNoAlertForPastAnomalies() throws Exception {
        AuditEntry live = Calls.at(T0.plus(Duration.ofDays(10))).address("10.0.0.1").entry();
        assertThat(run(HistorySource.fromStore(store, T0.minus(Duration.ofDays(1))), live)).isEmpty();
    }
}
