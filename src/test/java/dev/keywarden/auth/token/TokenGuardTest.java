package dev.keywarden.auth.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.keywarden.pipeline.AuthOutcome;
import dev.keywarden.pipeline.ClientIdentity;
import dev.keywarden.auth.PrincipalService;
import dev.keywarden.auth.ServerSecret;
import dev.keywarden.auth.VirtualKeyService;
import dev.keywarden.config.TokensConfig;
import dev.keywarden.pipeline.ErrorType;
import dev.keywarden.pipeline.Refusal;
import dev.keywarden.pipeline.RequestSummary;
import dev.keywarden.pipeline.Route;
import dev.keywarden.store.Database;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenGuardTest {

    @TempDir
    Path dataDir;
    Database db;
    VirtualKeyService keys;
    TokenService tokens;
    TokenGuard guard;
    ClientIdentity issuer;

    @BeforeEach
    void open() {
        db = Database.openSqlite(dataDir);
        ServerSecret secret = ServerSecret.loadOrCreate(dataDir);
        PrincipalService principals = new PrincipalService(db, "free", PrincipalService.anyWellFormedTier());
        keys = VirtualKeyService.open(db, secret, principals);
        tokens = new TokenService(db, secret, principals, TokensConfig.DEFAULTS, e -> { }, Clock.systemUTC());
        guard = new TokenGuard(tokens);
        issuer = ((AuthOutcome.Authenticated) keys.authenticate(keys.create("browser-app").key())).identity();
    }

    @AfterEach
    void close() {
        keys.close();
        db.close();
    }

    private ClientIdentity token(String json) {
        IssuedToken t = tokens.mint(issuer, TokenRequest.parse(json.getBytes(StandardCharsets.UTF_8), tokens.policy()));
        return ((AuthOutcome.Authenticated) tokens.authenticate(t.token())).identity();
    }

    private static RequestSummary messages(String model, long maxTokens) {
        return new RequestSummary(model, false, maxTokens, 100);
    }

    private String refusal(ClientIdentity id, Route route, String origin, RequestSummary body) {
        Refusal r = catchThrowableOfType(Refusal.class, () -> guard.checkScope(id, route, origin, body));
        assertThat(r).as("refused").isNotNull();
        assertThat(r.status()).isEqualTo(403);
        assertThat(r.type()).isEqualTo(ErrorType.PERMISSION);
        return r.getMessage();
    }

    @Test
    void modelsScopeRefusesOtherModelsNamingTheScope() {
        ClientIdentity id = token("{\"models\":[\"claude-haiku-4-5\"]}");
        assertThatCode(() -> guard.checkScope(id, Route.MESSAGES, null, messages("claude-haiku-4-5", 100))).doesNotThrowAnyException();
        assertThat(refusal(id, Route.MESSAGES, null, messages("claude-opus-4-1", 100)))
                .contains("models scope").contains("claude-opus-4-1");
        assertThat(refusal(id, Route.BATCH_CREATE, null, messages(null, -1))).contains("cannot create message batches");
    }

    @Test
    void maxTokensScopeRefusesLargerOrMissingMaxTokens() {
        ClientIdentity id = token("{\"max_tokens\":256}");
        assertThatCode(() -> guard.checkScope(id, Route.MESSAGES, null, messages("m", 256))).doesNotThrowAnyException();
        assertThat(refusal(id, Route.MESSAGES, null, messages("m", 257))).contains("max_tokens scope allows at most 256");
        assertThat(refusal(id, Route.MESSAGES, null, messages("m", -1))).contains("no max_tokens");
        assertThatCode(() -> guard.checkScope(id, Route.COUNT_TOKENS, null, messages("m", -1))).doesNotThrowAnyException();
    }

    @Test
    void endpointsScopeRefusesOtherRoutes() {
        ClientIdentity id = token("{\"endpoints\":[\"count_tokens\"]}");
        assertThatCode(() -> guard.checkScope(id, Route.COUNT_TOKENS, null, messages("m", -1))).doesNotThrowAnyException();
        assertThat(refusal(id, Route.MESSAGES, null, messages("m", 10)))
                .isEqualTo("this token's endpoints scope does not allow messages (allowed: count_tokens)");
    }

    @Test
    void originsScopeRefusesOtherOrMissingOrigins() {
        ClientIdentity id = token("{\"origins\":[\"https://app.example.com\"]}");
        assertThatCode(() -> guard.checkScope(id, Route.MESSAGES, "https://APP.example.com", messages("m", 1))).doesNotThrowAnyException();
        assertThat(refusal(id, Route.MESSAGES, "https://evil.example.com", messages("m", 1))).contains("origins scope");
        assertThat(refusal(id, Route.MESSAGES, null, messages("m", 1))).contains("without an Origin header");
    }

    @Test
    void aTokenCannotReachTheMintRouteButAVirtualKeyCan() {
        ClientIdentity id = token("{}");
        assertThat(refusal(id, Route.TOKENS_CREATE, null, messages(null, -1))).contains("a token cannot mint tokens");
        assertThatCode(() -> guard.checkScope(issuer, Route.TOKENS_CREATE, null, messages(null, -1))).doesNotThrowAnyException();
    }

    @Test
    void consumeRefusesWith401OnceTheUsesAreSpentAndIgnoresVirtualKeys() {
        ClientIdentity id = token("{\"max_uses\":1}");
        guard.consume(id);
        Refusal r = catchThrowableOfType(Refusal.class, () -> guard.consume(id));
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.type()).isEqualTo(ErrorType.AUTHENTICATION);
        assertThat(r.getMessage()).contains("exhausted");
        for (int i = 0; i < 3; i++) {
            guard.consume(issuer);
        }
    }
}
