package dev.keywarden.gateway;

import dev.keywarden.pipeline.Route;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RouterTest {

    @Test
    void everyAnthropicEndpointRoutes() {
        assertThat(Router.match("POST", "/v1/messages").route()).isEqualTo(Route.MESSAGES);
        assertThat(Router.match("POST", "/v1/messages/count_tokens").route()).isEqualTo(Route.COUNT_TOKENS);
        assertThat(Router.match("GET", "/v1/models").route()).isEqualTo(Route.MODELS_LIST);
        assertThat(Router.match("GET", "/v1/models/claude-sonnet-4-5-20250929").route()).isEqualTo(Route.MODEL_GET);
        assertThat(Router.match("POST", "/v1/messages/batches").route()).isEqualTo(Route.BATCH_CREATE);
        assertThat(Router.match("GET", "/v1/messages/batches").route()).isEqualTo(Route.BATCH_LIST);
        assertThat(Router.match("GET", "/v1/messages/batches/msgbatch_01abc").route()).isEqualTo(Route.BATCH_GET);
        assertThat(Router.match("DELETE", "/v1/messages/batches/msgbatch_01abc").route()).isEqualTo(Route.BATCH_DELETE);
        assertThat(Router.match("POST", "/v1/messages/batches/msgbatch_01abc/cancel").route()).isEqualTo(Route.BATCH_CANCEL);
        assertThat(Router.match("GET", "/v1/messages/batches/msgbatch_01abc/results").route()).isEqualTo(Route.BATCH_RESULTS);
        assertThat(Router.match("GET", "/healthz").route()).isEqualTo(Route.HEALTHZ);
        assertThat(Router.match("GET", "/readyz").route()).isEqualTo(Route.READYZ);
    }

    @Test
    void theTokenMintRouteIsGatewayServedAndPostOnly() {
        assertThat(Router.match("POST", "/v1/keywarden/tokens").route()).isEqualTo(Route.TOKENS_CREATE);
        assertThat(Route.TOKENS_CREATE.proxied()).isFalse();
        assertThat(Route.TOKENS_CREATE.health()).isFalse();
        assertThat(Router.match("GET", "/v1/keywarden/tokens").allowedMethods()).containsExactly("POST");
        assertThat(Router.match("POST", "/v1/keywarden/tokens/x").found()).isFalse();
    }

    @Test
    void wrongMethodOnKnownPathIsMethodNotAllowedWithTheAllowedMethods() {
        Router.Match m = Router.match("GET", "/v1/messages");
        assertThat(m.found()).isFalse();
        assertThat(m.methodNotAllowed()).isTrue();
        assertThat(m.allowedMethods()).containsExactly("POST");
        assertThat(Router.match("PUT", "/v1/messages/batches/b1").allowedMethods()).containsExactly("GET", "DELETE");
    }

    @Test
    void unknownPathsAndSuspiciousIdsAreNotFound() {
        for (String path : new String[] {"/v1/nowhere", "/", "/v1/models/", "/v1/models/a/b", "/v1/models/..",
                "/v1/models/%2e%2e", "/v1/messages/batches/b1/other", "/v1/messages/batches//cancel", "/v2/messages"}) {
            Router.Match m = Router.match("GET", path);
            assertThat(m.found()).as(path).isFalse();
            assertThat(m.methodNotAllowed()).as(path).isFalse();
        }
    }
}
