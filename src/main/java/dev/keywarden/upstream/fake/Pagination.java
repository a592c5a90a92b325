package dev.keywarden.upstream.fake;

import java.util.List;
import java.util.function.Function;
import org.eclipse.jetty.util.Fields;

/**
 * Cursor pagination as the real list endpoints do it: {@code limit} (1–1000, default 20),
 * {@code after_id} (the page right after that object) or {@code before_id} (the page right
 * before it), answered as {@code {"data":[…],"has_more":…,"first_id":…,"last_id":…}}.
 *
 * <p>Guarantee: {@code has_more} is true exactly when more objects exist beyond the page in the
 * direction of travel; {@code first_id}/{@code last_id} are the ids of the page's first and last
 * objects (null for an empty page). A bad limit, both cursors at once, or a cursor naming an
 * unknown object is refused with a 400 naming the parameter.
 */
final class Pagination {

    static final int DEFAULT_LIMIT = 20;
    static final int MAX_LIMIT = 1000;

    /**
     * The client's paging parameters.
     *
     * @param limit    page size
     * @param afterId  cursor, or null
     * @param beforeId cursor, or null
     */
    record Params(int limit, String afterId, String beforeId) {
    }

    /**
     * One page.
     *
     * @param items   the objects on the page, in list order
     * @param hasMore whether more objects exist in the direction of travel
     */
    record Page<T>(List<T> items, boolean hasMore) {
    }

    private Pagination() {
    }

    static Params params(Fields query) {
        int limit = DEFAULT_LIMIT;
        String rawLimit = query.getValue("limit");
        if (rawLimit != null) {
            try {
                limit = Integer.parseInt(rawLimit.strip());
            } catch (NumberFormatException e) {
                throw ApiError.invalidRequest("limit: Input should be a valid integer between 1 and " + MAX_LIMIT);
            }
            if (limit < 1 || limit > MAX_LIMIT) {
                throw ApiError.invalidRequest("limit: Input should be between 1 and " + MAX_LIMIT + " but was " + limit);
            }
        }
        String after = emptyToNull(query.getValue("after_id"));
        String before = emptyToNull(query.getValue("before_id"));
        if (after != null && before != null) {
            throw ApiError.invalidRequest("after_id and before_id cannot be used together");
        }
        return new Params(limit, after, before);
    }

    static <T> Page<T> page(List<T> all, Function<T, String> id, Params p) {
        if (p.afterId() != null) {
            int start = indexOf(all, id, p.afterId(), "after_id") + 1;
            int end = Math.min(all.size(), start + p.limit());
            return new Page<>(all.subList(start, end), end < all.size());
        }
        if (p.beforeId() != null) {
            int end = indexOf(all, id, p.beforeId(), "before_id");
            int start = Math.max(0, end - p.limit());
            return new Page<>(all.subList(start, end), start > 0);
        }
        int end = Math.min(all.size(), p.limit());
        return new Page<>(all.subList(0, end), end < all.size());
    }

    static <T> String toJson(Page<T> page, Function<T, String> id, Function<T, String> json) {
        StringBuilder sb = new StringBuilder(64 + page.items().size() * 160);
        sb.append("{\"data\":[");
        for (int i = 0; i < page.items().size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(json.apply(page.items().get(i)));
        }
        sb.append("],\"has_more\":").append(page.hasMore()).append(",\"first_id\":");
        Json.appendString(sb, page.items().isEmpty() ? null : id.apply(page.items().get(0)));
        sb.append(",\"last_id\":");
        Json.appendString(sb, page.items().isEmpty() ? null : id.apply(page.items().get(page.items().size() - 1)));
        return sb.append('}').toString();
    }

    private static <T> int indexOf(List<T> all, Function<T, String> id, String wanted, String param) {
        for (int i = 0; i < all.size(); i++) {
            if (id.apply(all.get(i)).equals(wanted)) {
                return i;
            }
        }
        throw ApiError.invalidRequest(param + ": no object with id " + Json.quote(Echo.safe(wanted, 80)) + " in this list");
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
