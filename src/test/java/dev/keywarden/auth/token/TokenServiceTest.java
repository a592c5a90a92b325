package dev.keywarden.auth.token;

import dev.keywarden.testing.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keywarden.audit.SecurityEvent;
import dev.keywarden.pipeline.AuthOutcome;
import dev.keywarden.pipeline.ClientIdentity;
import dev.keywarden.auth.CreatedVirtualKey;
import dev.keywarden.auth.PrincipalService;
import dev.keywarden.auth.ServerSecret;
import dev.keywarden.auth.VirtualKeyService;
import dev.keywarden.config.TokensConfig;
import dev.keywarden.store.Database;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenServiceTest {

    @TempDir
    Path dataDir;
    Database db;
    VirtualKeyService keys;
    TokenService tokens;
    final MutableClock clock = new MutableClock(Instant.parse("2026-03-04T05:06:07Z"));
    final List<SecurityEvent> events = new CopyOnWriteArrayList<>();
    CreatedVirtualKey key;
    ClientIdentity issuer;

    @BeforeEach
    void open() {
        db = Database.openSqlite(dataDir);
        ServerSecret secret = ServerSecret.loadOrCreate(dataDir);
        PrincipalService principals = new PrincipalService(db, "free", PrincipalService.anyWellFormedTier());
        keys = VirtualKeyService.open(db, secret, principals);
        tokens = new TokenService(db, secret, principals, new TokensConfig(Duration.ofHours(1), 1000), events::add, clock);
        key = keys.create("web-backend");
        issuer = ((AuthOutcome.Authenticated) keys.authenticate(key.key())).identity();
    }

    @AfterEach
    void close() {
        keys.close();
        db.close();
    }

    private IssuedToken mint(String json) {
        return tokens.mint(issuer, TokenRequest.parse(json.getBytes(StandardCharsets.UTF_8), tokens.policy()));
    }

    private String rejection(String token) {
        AuthOutcome outcome = tokens.authenticate(token);
        assertThat(outcome).isInstanceOf(AuthOutcome.Rejected.class);
        return ((AuthOutcome.Rejected) outcome).message();
    }

    @Test
    void aMintedTokenAuthenticatesAsTheIssuingPrincipalWithCredentialKindTokenAndItsId() {
        IssuedToken t = mint("{\"ttl_seconds\":60,\"max_uses\":3}");

        ClientIdentity id = ((AuthOutcome.Authenticated) tokens.authenticate(t.token())).identity();

        assertThat(id.credentialKind()).isEqualTo("token");
        assertThat(id.credentialId()).isEqualTo(t.id()).startsWith("tok_");
        assertThat(id.principalId()).isEqualTo(issuer.principalId()).isNotNull();
        assertThat(id.principalName()).isEqualTo("web-backend");
        assertThat(id.principalTier()).isEqualTo(issuer.principalTier());
        assertThat(id.limitSubject()).isEqualTo(issuer.limitSubject());
        assertThat(t.expiresAt()).isEqualTo(clock.instant().plusSeconds(60));
        assertThat(t.toString()).doesNotContain(t.token());
    }

    @Test
    void theStoreHoldsOnlyAKeyedHashNeverTheToken() throws Exception {
        IssuedToken t = mint("{}");
        StringBuilder all = new StringBuilder();
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT * FROM tokens")) {
            while (rs.next()) {
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    all.append(rs.getString(i)).append('|');
                }
            }
        }
        assertThat(all).contains(t.id()).doesNotContain(t.token()).doesNotContain(t.token().substring(7, 39));
        assertThat(Files.readAllBytes(dataDir.resolve(Database.FILE_NAME)))
                .asString(StandardCharsets.ISO_8859_1).doesNotContain(t.token().substring(7, 39));
    }

    private AuthOutcome.Kind kind(String token) {
        return ((AuthOutcome.Rejected) tokens.authenticate(token)).kind();
    }

    @Test
    void aSpentExpiredOrRevokedTokenIsKnownSoItsRefusalDoesNotCountTowardTheLockoutButAGuessDoes() {
        IssuedToken spent = mint("{\"max_uses\":1}");
        assertThat(tokens.spend(spent.id())).isNull();
        IssuedToken expired = mint("{\"ttl_seconds\":60}");
        IssuedToken revoked = mint("{}");
        tokens.revoke(revoked.id(), "test");
        clock.advance(Duration.ofSeconds(60));

        assertThat(kind(spent.token())).isEqualTo(AuthOutcome.Kind.UNUSABLE);
        assertThat(kind(expired.token())).isEqualTo(AuthOutcome.Kind.UNUSABLE);
        assertThat(kind(revoked.token())).isEqualTo(AuthOutcome.Kind.UNUSABLE);
        String guess = spent.token().substring(0, spent.token().length() - 4) + "AAAA";
        assertThat(kind(guess)).isEqualTo(AuthOutcome.Kind.UNKNOWN);
        assertThat(kind("kw_tmp_short")).isEqualTo(AuthOutcome.Kind.UNKNOWN);
    }

    @Test
    void anExpiredTokenIsRefusedSayingItExpiredAndWhen() {
        IssuedToken t = mint("{\"ttl_seconds\":60}");
        clock.advance(Duration.ofSeconds(60));

        assertThat(rejection(t.token())).startsWith("this token expired at 2026-03-04T05:07:07Z");
        assertThat(tokens.spend(t.id())).startsWith("this token expired at");
        assertThat(tokens.find(t.id()).orElseThrow().state()).isEqualTo("expired");
    }

    @Test
    void aTokenIsExhaustedAfterItsUsesAndSaysSo() {
        IssuedToken t = mint("{\"max_uses\":2}");
        assertThat(tokens.spend(t.id())).isNull();
        assertThat(tokens.spend(t.id())).isNull();

        assertThat(tokens.spend(t.id())).isEqualTo("this token is exhausted: it has used all of its 2 uses;"
                + " mint a new one with your virtual key (POST /v1/keywarden/tokens)");
        assertThat(rejection(t.token())).startsWith("this token is exhausted: it has used all of its 2 uses");
        assertThat(tokens.find(t.id()).orElseThrow()).satisfies(i -> {
            assertThat(i.uses()).isEqualTo(2);
            assertThat(i.state()).isEqualTo("exhausted");
        });
    }

    @Test
    void aRevokedTokenIsRefusedSayingRevokedAndTheRevocationIsASecurityEvent() {
        IssuedToken t = mint("{}");
        IssuedToken other = mint("{}");

        assertThat(tokens.revoke(t.id(), "cli")).isTrue();
        assertThat(tokens.revoke(t.id(), "cli")).isFalse();

        assertThat(rejection(t.token())).isEqualTo("this token was revoked");
        assertThat(tokens.spend(t.id())).isEqualTo("this token was revoked");
        assertThat(tokens.authenticate(other.token())).isInstanceOf(AuthOutcome.Authenticated.class);
        assertThat(events).filteredOn(e -> e.type().equals("token.revoked")).singleElement()
                .satisfies(e -> assertThat(e.subject()).isEqualTo(t.id()));
    }

    @Test
    void revokingByPrincipalRevokesEveryTokenOfThatPrincipalOnly() {
        IssuedToken a = mint("{}");
        IssuedToken b = mint("{}");
        CreatedVirtualKey otherKey = keys.create("someone-else");
        ClientIdentity otherIssuer = ((AuthOutcome.Authenticated) keys.authenticate(otherKey.key())).identity();
        IssuedToken c = tokens.mint(otherIssuer, TokenRequest.parse(new byte[0], tokens.policy()));

        assertThat(tokens.revokeByPrincipal("web-backend", "admin-api")).isEqualTo(2);

        assertThat(rejection(a.token())).isEqualTo("this token was revoked");
        assertThat(rejection(b.token())).isEqualTo("this token was revoked");
        assertThat(tokens.authenticate(c.token())).isInstanceOf(AuthOutcome.Authenticated.class);
        assertThatThrownBy(() -> tokens.revokeByPrincipal("nobody", "cli")).isInstanceOf(TokenService.UnknownPrincipal.class);
    }

    @Test
    void revokingTheIssuingVirtualKeyRevokesItsTokens() {
        IssuedToken t = mint("{}");
        keys.revoke(key.id());
        assertThat(rejection(t.token())).isEqualTo("this token was revoked: the virtual key that issued it was revoked");
    }

    @Test
    void unknownAndMalformedTokensAreInvalidWithoutEchoingThem() {
        String unknown = TokenFormat.generate();
        assertThat(rejection(unknown)).isEqualTo("invalid token");
        assertThat(rejection("kw_tmp_short")).isEqualTo("invalid token");
        assertThat(rejection(null)).isEqualTo("invalid token");
    }

    @Test
    void onlyAVirtualKeyCanMint() {
        IssuedToken t = mint("{}");
        ClientIdentity asToken = ((AuthOutcome.Authenticated) tokens.authenticate(t.token())).identity();
        assertThatThrownBy(() -> tokens.mint(asToken, TokenRequest.parse(new byte[0], tokens.policy())))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("only a virtual key");
    }

    @Test
    void revokeRefusesATokenValueInsteadOfAnId() {
        IssuedToken t = mint("{}");
        assertThatThrownBy(() -> tokens.revoke(t.token(), "cli"))
                .hasMessageContaining("give the token id").hasMessageNotContaining(t.token());
    }

    @Test
    void theIssuedEventNamesTheTokenIdAndScopesButNeverTheToken() {
        IssuedToken t = mint("{\"models\":[\"claude-haiku-4-5\"]}");
        assertThat(events).filteredOn(e -> e.type().equals("token.issued")).singleElement().satisfies(e -> {
            assertThat(e.subject()).isEqualTo(t.id());
            assertThat(e.details()).containsEntry("issuer_key_id", key.id()).containsEntry("max_uses", "100");
            assertThat(e.details().get("scopes")).contains("claude-haiku-4-5");
            assertThat(e.toString()).doesNotContain(t.token());
        });
    }

    @Test
    void concurrentSpendsAdmitExactlyMaxUses() throws Exception {
        IssuedToken t = mint("{\"max_uses\":5}");
        AtomicInteger granted = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> all = new java.util.ArrayList<>();
            for (int i = 0; i < 40; i++) {
                all.add(pool.submit(() -> {
                    if (tokens.spend(t.id()) == null) {
                        granted.incrementAndGet();
                    }
                }));
            }
            for (Future<?> f : all) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(granted).hasValue(5);
    }

}
