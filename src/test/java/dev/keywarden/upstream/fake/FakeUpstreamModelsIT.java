package dev.keywarden.upstream.fake;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FakeUpstreamModelsIT {

    private static FakeUpstream upstream;
    private static UpstreamHttp http;

    @BeforeAll
    static void start() {
        upstream = FakeUpstream.start(FakeUpstreamOptions.defaults(UpstreamHttp.KEY));
        http = new UpstreamHttp(upstream);
    }

    @AfterAll
    static void stop() {
        http.close();
        upstream.close();
    }

    private static JsonNode getJson(String path) throws Exception {
        HttpResponse<String> r = http.get(path);
        assertThat(r.statusCode()).as(path).isEqualTo(200);
        return UpstreamHttp.json(r.body());
    }

    private static List<String> ids(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.path("data").forEach(m -> ids.add(m.path("id").asText()));
        return ids;
    }

    @Test
    void listsCurrentClaudeModelsNewestFirstInTheRealShape() throws Exception {
        JsonNode page = getJson("/v1/models");

        assertThat(page.path("data").size()).isBetween(5, 20);
        assertThat(page.path("has_more").asBoolean()).isFalse();
        assertThat(page.path("first_id").asText()).isEqualTo(ids(page).get(0));
        assertThat(page.path("last_id").asText()).isEqualTo(ids(page).get(ids(page).size() - 1));
        Instant previous = Instant.MAX;
        for (JsonNode m : page.path("data")) {
            assertThat(m.path("type").asText()).isEqualTo("model");
            assertThat(m.path("id").asText()).startsWith("claude-");
            assertThat(m.path("display_name").asText()).startsWith("Claude ");
            Instant created = Instant.parse(m.path("created_at").asText());
            assertThat(created).isBeforeOrEqualTo(previous);
            previous = created;
        }
    }

    @Test
    void walkingForwardWithAfterIdVisitsEveryModelOnce() throws Exception {
        List<String> all = ids(getJson("/v1/models"));
        List<String> walked = new ArrayList<>();
        JsonNode page = getJson("/v1/models?limit=2");
        walked.addAll(ids(page));
        while (page.path("has_more").asBoolean()) {
            assertThat(page.path("data").size()).isEqualTo(2);
            page = getJson("/v1/models?limit=2&after_id=" + page.path("last_id").asText());
            walked.addAll(ids(page));
        }

        assertThat(walked).isEqualTo(all);
    }

    @Test
    void beforeIdGivesThePageRightBeforeTheCursor() throws Exception {
        List<String> all = ids(getJson("/v1/models"));

        JsonNode page = getJson("/v1/models?limit=2&before_id=" + all.get(3));

        assertThat(ids(page)).isEqualTo(all.subList(1, 3));
        assertThat(page.path("has_more").asBoolean()).isTrue();
        assertThat(ids(getJson("/v1/models?limit=5&before_id=" + all.get(2)))).isEqualTo(all.subList(0, 2));
    }

    @ParameterizedTest
    @ValueSource(strings = {"limit=0", "limit=1001", "limit=abc", "after_id=x&before_id=y", "after_id=claude-nonexistent"})
    void badPagingParametersAreRefusedWith400(String query) throws Exception {
        HttpResponse<String> r = http.get("/v1/models?" + query);

        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(UpstreamHttp.json(r.body()).path("error").path("type").asText()).isEqualTo("invalid_request_error");
    }

    @Test
    void getsOneModelByIdOrAlias() throws Exception {
        JsonNode byId = getJson("/v1/models/claude-sonnet-4-5-20250929");
        JsonNode byAlias = getJson("/v1/models/claude-sonnet-4-5");

        assertThat(byId.path("type").asText()).isEqualTo("model");
        assertThat(byId.path("display_name").asText()).isEqualTo("Claude Sonnet 4.5");
        assertThat(byAlias).isEqualTo(byId);
    }

    @Test
    void unknownModelIs404NotFoundErrorNamingIt() throws Exception {
        HttpResponse<String> r = http.get("/v1/models/claude-imaginary-9");

        assertThat(r.statusCode()).isEqualTo(404);
        JsonNode e = UpstreamHttp.json(r.body());
        assertThat(e.path("error").path("type").asText()).isEqualTo("not_found_error");
        assertThat(e.path("error").path("message").asText()).isEqualTo("model: claude-imaginary-9");
    }
}
