package dev.keywarden.admin;

import dev.keywarden.limits.budget.Usd;
import dev.keywarden.limits.budget.BudgetStore;
import dev.keywarden.limits.budget.Allowance;
import com.fasterxml.jackson.databind.JsonNode;
import dev.keywarden.auth.Principal;
import dev.keywarden.auth.PrincipalService;
import dev.keywarden.auth.VirtualKeyInfo;
import dev.keywarden.auth.VirtualKeyService;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Admin operations on explicit budgets (USD per UTC day and month) of a principal (a team's budget is its
 * team principal's) or a virtual key. Running gateways apply a change within about a second.
 *
 * <pre>
 * GET  /admin/v1/principals/{id}/budget
 * POST /admin/v1/principals/{id}/budget      {"daily_usd":"5","monthly_usd":"50"}   or {"clear":true}
 * GET  /admin/v1/virtual-keys/{id}/budget
 * POST /admin/v1/virtual-keys/{id}/budget    {"daily_usd":"0.5"}
 * </pre>
 * An omitted amount keeps the tier's default; {@code 0} means no limit. {@code {id}}: a principal id or
 * name; a virtual key id ({@code vk_…}) or prefix.
 */
public final class BudgetAdmin {

    private BudgetAdmin() {
    }

    public static void register(AdminRoutes routes, BudgetStore store, VirtualKeyService keys) {
        PrincipalService principals = keys.principals();
        routes.add("GET", "/admin/v1/principals/{id}/budget", (p, b) -> {
            Principal pr = principal(principals, p.get("id"));
            return view("principal", pr.id(), store.all().getOrDefault("principal:" + pr.id(), Allowance.UNSET));
        });
        routes.add("POST", "/admin/v1/principals/{id}/budget", (p, body) -> {
            Principal pr = principal(principals, p.get("id"));
            return set(store, BudgetStore.Owner.PRINCIPAL, "principal", pr.id(), body);
        });
        routes.add("GET", "/admin/v1/virtual-keys/{id}/budget", (p, b) -> {
            String id = keyId(keys, p.get("id"));
            return view("key", id, store.all().getOrDefault("key:" + id, Allowance.UNSET));
        });
        routes.add("POST", "/admin/v1/virtual-keys/{id}/budget", (p, body) ->
                set(store, BudgetStore.Owner.KEY, "key", keyId(keys, p.get("id")), body));
    }

    private static Object set(BudgetStore store, BudgetStore.Owner owner, String scope, String id, JsonNode body) {
        if (body != null && body.path("clear").asBoolean(false)) {
            store.clear(owner, id);
            return view(scope, id, Allowance.UNSET);
        }
        Allowance a = new Allowance(amount(body, "daily_usd"), amount(body, "monthly_usd"));
        if (a.dailyNanos() == null && a.monthlyNanos() == null) {
            throw AdminError.badRequest("give daily_usd and/or monthly_usd (0 for no limit), or {\"clear\":true},"
                    + " e.g. {\"daily_usd\":\"5\",\"monthly_usd\":\"50\"}");
        }
        store.set(owner, id, a, System.currentTimeMillis());
        return view(scope, id, a);
    }

    private static Long amount(JsonNode body, String field) {
        JsonNode n = body == null ? null : body.get(field);
        if (n == null || n.isNull()) {
            return null;
        }
        try {
            return Usd.parse(n.asText());
        } catch (IllegalArgumentException e) {
            throw AdminError.badRequest(field + " " + e.getMessage());
        }
    }

    private static Principal principal(PrincipalService principals, String idOrName) {
        return principals.find(idOrName).orElseThrow(() -> AdminError.notFound("no principal has id or name " + idOrName));
    }

    private static String keyId(VirtualKeyService keys, String idOrPrefix) {
        List<VirtualKeyInfo> matches = keys.list().stream().filter(k -> k.id().equals(idOrPrefix) || k.prefix().equals(idOrPrefix)).toList();
        if (matches.isEmpty()) {
            throw AdminError.notFound("no virtual key has id or prefix " + idOrPrefix);
        }
        if (matches.size() > 1) {
            throw AdminError.badRequest("prefix " + idOrPrefix + " matches several virtual keys; use the id");
        }
        return matches.get(0).id();
    }

    private static Map<String, Object> view(String scope, String id, Allowance a) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("scope", scope);
        m.put("id", id);
        m.put("daily_usd", a.dailyNanos() == null ? null : Usd.plain(a.dailyNanos()));
        m.put("monthly_usd", a.monthlyNanos() == null ? null : Usd.plain(a.monthlyNanos()));
        m.put("note", "null: the tier's default applies; 0: no limit");
        return m;
    }
}
