package dev.keywarden.upstream.fake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.function.Function;
import org.eclipse.jetty.util.Fields;
import org.junit.jupiter.api.Test;

class PaginationTest {

    private static final List<String> IDS = List.of("e", "d", "c", "b", "a");

    private static Pagination.Page<String> page(String... query) {
        Fields fields = new Fields();
        for (int i = 0; i < query.length; i += 2) {
            fields.add(query[i], query[i + 1]);
        }
        return Pagination.page(IDS, Function.identity(), Pagination.params(fields));
    }

    @Test
    void firstPageHasMoreWhenTheListIsLongerThanTheLimit() {
        assertThat(page("limit", "2")).isEqualTo(new Pagination.Page<>(List.of("e", "d"), true));
        assertThat(page()).isEqualTo(new Pagination.Page<>(IDS, false));
    }

    @Test
    void afterIdGivesTheObjectsRightAfterTheCursor() {
        assertThat(page("limit", "2", "after_id", "d")).isEqualTo(new Pagination.Page<>(List.of("c", "b"), true));
        assertThat(page("limit", "2", "after_id", "b")).isEqualTo(new Pagination.Page<>(List.of("a"), false));
        assertThat(page("after_id", "a")).isEqualTo(new Pagination.Page<>(List.of(), false));
    }

    @Test
    void beforeIdGivesTheObjectsRightBeforeTheCursor() {
        assertThat(page("limit", "2", "before_id", "a")).isEqualTo(new Pagination.Page<>(List.of("c", "b"), true));
        assertThat(page("limit", "2", "before_id", "c")).isEqualTo(new Pagination.Page<>(List.of("e", "d"), false));
    }

    @Test
    void pageJsonNamesFirstAndLastIdsOrNullWhenEmpty() {
        assertThat(Pagination.toJson(new Pagination.Page<>(List.of("x", "y"), true), Function.identity(), Json::quote))
                .isEqualTo("{\"data\":[\"x\",\"y\"],\"has_more\":true,\"first_id\":\"x\",\"last_id\":\"y\"}");
        assertThat(Pagination.toJson(new Pagination.Page<String>(List.of(), false), Function.identity(), Json::quote))
                .isEqualTo("{\"data\":[],\"has_more\":false,\"first_id\":null,\"last_id\":null}");
    }

    @Test
    void badParametersAreRefusedNamingTheParameter() {
        assertThatThrownBy(() -> page("limit", "0")).hasMessageStartingWith("limit: Input should be between 1 and 1000");
        assertThatThrownBy(() -> page("limit", "1001")).hasMessageStartingWith("limit:");
        assertThatThrownBy(() -> page("limit", "ten")).hasMessageStartingWith("limit: Input should be a valid integer");
        assertThatThrownBy(() -> page("after_id", "a", "before_id", "b")).hasMessage("after_id and before_id cannot be used together");
        assertThatThrownBy(() -> page("after_id", "zz")).hasMessage("after_id: no object with id \"zz\" in this list");
    }
}
