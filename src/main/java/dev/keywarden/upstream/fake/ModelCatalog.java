package dev.keywarden.upstream.fake;

import java.util.List;
import java.util.Optional;

/**
 * The Claude models the fake lists, newest first, as {@code GET /v1/models} shows them.
 *
 * <p>Guarantee: the list is fixed; {@link #find} accepts a full id or its alias (the id without
 * the date suffix, e.g. {@code claude-sonnet-4-5}) and answers with the full model.
 */
final class ModelCatalog {

    /**
     * One model.
     *
     * @param id          full id, e.g. {@code claude-sonnet-4-5-20250929}
     * @param displayName human name
     * @param createdAt   RFC 3339 release time
     */
    record Model(String id, String displayName, String createdAt) {
        String json() {
            return "{\"type\":\"model\",\"id\":" + Json.quote(id) + ",\"display_name\":" + Json.quote(displayName)
                    + ",\"created_at\":" + Json.quote(createdAt) + "}";
        }

        /** The id without its {@code -YYYYMMDD} suffix. */
        String alias() {
            int dash = id.lastIndexOf('-');
            return dash > 0 && id.length() - dash == 9 ? id.substring(0, dash) : id;
        }
    }

    static final List<Model> MODELS = List.of(
            new Model("claude-opus-4-5-20251101", "Claude Opus 4.5", "2025-11-24T00:00:00Z"),
            new Model("claude-haiku-4-5-20251001", "Claude Haiku 4.5", "2025-10-15T00:00:00Z"),
            new Model("claude-sonnet-4-5-20250929", "Claude Sonnet 4.5", "2025-09-29T00:00:00Z"),
            new Model("claude-opus-4-1-20250805", "Claude Opus 4.1", "2025-08-05T00:00:00Z"),
            new Model("claude-opus-4-20250514", "Claude Opus 4", "2025-05-22T00:00:00Z"),
            new Model("claude-sonnet-4-20250514", "Claude Sonnet 4", "2025-05-22T00:00:00Z"),
            new Model("claude-3-5-haiku-20241022", "Claude Haiku 3.5", "2024-10-22T00:00:00Z"));

    private ModelCatalog() {
    }

    static Optional<Model> find(String idOrAlias) {
        for (Model m : MODELS) {
            if (m.id().equals(idOrAlias) || m.alias().equals(idOrAlias)) {
                return Optional.of(m);
            }
        }
        return Optional.empty();
    }
}
