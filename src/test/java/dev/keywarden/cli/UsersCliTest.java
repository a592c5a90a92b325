package dev.keywarden.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keywarden.auth.ServerSecret;
import dev.keywarden.store.Database;
import dev.keywarden.users.JdbcSessionStore;
import dev.keywarden.users.Role;
import dev.keywarden.users.SessionService;
import dev.keywarden.users.User;
import dev.keywarden.audit.SecurityEvents;
import dev.keywarden.testing.LogCapture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class UsersCliTest {

    static final String PASSWORD = "violet tractor anthem";

    @TempDir
    Path tmp;

    private CliRunner.Run run(String stdin, String... args) {
        String[] all = Stream.concat(Stream.of(args), Stream.of("--data-dir", tmp.resolve("data").toString())).toArray(String[]::new);
        return CliRunner.withStdin(Map.of(), stdin, all);
    }

    @Test
    void addListDisableEnableResetAndDeleteWithThePasswordOnStandardInput() throws Exception {
        try (LogCapture logs = LogCapture.start()) {
            CliRunner.Run add = run(PASSWORD + "\n", "users", "add", "alice", "--role", "admin", "--tier", "pro", "--display-name", "Alice A.");
            assertThat(add.exitCode()).as(add.err()).isZero();
            assertThat(add.out()).contains("alice", "admin", "tier=pro", "active");
            assertThat(run(PASSWORD + "\n", "users", "add", "alice").err()).contains("already exists");

            CliRunner.Run list = run("", "users", "list", "--json");
            assertThat(list.exitCode()).isZero();
            JsonNode users = new ObjectMapper().readTree(list.out());
            assertThat(users).hasSize(1);
            assertThat(users.get(0).get("username").asText()).isEqualTo("alice");
            assertThat(users.get(0).get("tier").asText()).isEqualTo("pro");
            assertThat(users.get(0).get("state").asText()).isEqualTo("active");

            assertThat(run("", "users", "disable", "alice").out()).contains("disabled");
            assertThat(run("", "users", "enable", "alice").out()).contains("active");
            CliRunner.Run reset = run("orange kayak lantern\n", "users", "reset-password", "alice");
            assertThat(reset.exitCode()).as(reset.err()).isZero();
            CliRunner.Run weak = run("short\n", "users", "reset-password", "alice");
            assertThat(weak.exitCode()).isEqualTo(1);
            assertThat(weak.err()).contains("at least 12 characters").doesNotContain("short\n");
            CliRunner.Run delete = run("", "users", "delete", "alice");
            assertThat(delete.err()).contains("deleted", "suspended");
            assertThat(run("", "users", "list").err()).contains("no users yet");

            String everything = add.all() + list.all() + reset.all() + weak.all() + delete.all() + logs.text();
            assertThat(everything).doesNotContain(PASSWORD).doesNotContain("orange kayak lantern");
        }
    }

    @Test
    void thereIsNoPasswordFlag() {
        CliRunner.Run r = run("", "users", "add", "bob", "--password", PASSWORD);
        assertThat(r.exitCode()).isEqualTo(2);
        assertThat(r.err()).contains("Unknown option");
    }

    @Test
    void disablingFromTheCliEndsTheUsersSessionsInTheStore() {
        assertThat(run(PASSWORD + "\n", "users", "add", "carol").exitCode()).isZero();
        Path data = tmp.resolve("data");
        ServerSecret secret = ServerSecret.loadOrCreate(data);
        SessionService.NewSession s;
        User carol;
        try (Database db = Database.openSqlite(data)) {
            SessionService sessions = new SessionService(new JdbcSessionStore(db), secret, Duration.ofMinutes(30), Duration.ofHours(12),
                    Clock.systemUTC(), (SecurityEvents) e -> { });
            carol = new User(listedId(), "carol", null, Role.USER, "pr_x", false, true, Instant.now(), null);
            s = sessions.open(carol, SessionService.METHOD_PASSWORD, null);
            assertThat(sessions.resolve(s.token())).isPresent();
        }
        assertThat(run("", "users", "disable", "carol").exitCode()).isZero();
        try (Database db = Database.openSqlite(data)) {
            SessionService sessions = new SessionService(new JdbcSessionStore(db), secret, Duration.ofMinutes(30), Duration.ofHours(12),
                    Clock.systemUTC(), e -> { });
            assertThat(sessions.resolve(s.token())).isEmpty();
        }
    }

    private String listedId() {
        try {
            return new ObjectMapper().readTree(run("", "users", "list", "--json").out()).get(0).get("id").asText();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
