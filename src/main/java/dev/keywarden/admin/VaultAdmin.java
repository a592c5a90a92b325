package dev.keywarden.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keywarden.pipeline.ErrorType;
import dev.keywarden.store.DuplicateProviderKeyException;
import dev.keywarden.vault.KeyRotation;
import dev.keywarden.vault.KeyVault;
import dev.keywarden.vault.ProviderKeyStateException;
import dev.keywarden.vault.ProviderKeyView;
import dev.keywarden.vault.RotationException;
import dev.keywarden.vault.crypto.VaultException;
import dev.keywarden.vault.crypto.VaultSealedException;
import dev.keywarden.vault.source.SecretSourceException;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Admin operations on the provider-key vault — the same as the CLI's: status, seal, unseal,
 * re-wrap, KEK rotation; list, add from a secret source, rotate, revoke (graceful or now),
 * activate. Keys travel only as source specs ({@code env:VAR}, {@code vault-kv:...}), never as
 * values, so no admin request or response ever carries a provider key.
 */
public final class VaultAdmin {

    private VaultAdmin() {
    }

    public static void register(AdminRoutes routes, KeyVault vault) {
        routes.add("GET", "/admin/v1/vault", (p, b) -> vault.status());
        routes.add("POST", "/admin/v1/vault/unseal", (p, body) -> guarded(() -> {
            char[] passphrase = body.path("passphrase").asText("").toCharArray();
            vault.unseal(passphrase);
            return vault.status();
        }));
        routes.add("POST", "/admin/v1/vault/seal", (p, b) -> guarded(() -> {
            vault.seal();
            return vault.status();
        }));
        routes.add("POST", "/admin/v1/vault/rewrap", (p, b) -> guarded(vault::rewrap));
        routes.add("POST", "/admin/v1/vault/rotate-kek", (p, b) -> guarded(vault::rotateKek));
        routes.add("POST", "/admin/v1/vault/kek-versions/{version}/retire", (p, b) -> guarded(() -> {
            int version;
            try {
                version = Integer.parseInt(p.get("version"));
            } catch (NumberFormatException e) {
                throw AdminError.badRequest("KEK version must be a number, e.g. /admin/v1/vault/kek-versions/1/retire");
            }
            vault.retireKek(version);
            return vault.status();
        }));

        routes.add("GET", "/admin/v1/provider-keys", (p, b) -> guarded(() ->
                Map.of("data", vault.list().stream().map(ProviderKeyView::of).toList())));
        routes.add("GET", "/admin/v1/provider-keys/{id}", (p, b) -> guarded(() -> vault.find(p.get("id"))
                .map(ProviderKeyView::of).orElseThrow(() -> AdminError.notFound("no provider key has id " + p.get("id")))));
        routes.add("POST", "/admin/v1/provider-keys", (p, body) -> guarded(() -> {
            String source = required(body, "source", "{\"source\":\"env:NEW_ANTHROPIC_KEY\",\"label\":\"backup\"}");
            String label = body.path("label").asText("primary");
            Integer days = body.hasNonNull("rotation_days") ? body.get("rotation_days").asInt() : null;
            return ProviderKeyView.of(vault.add(source, label, body.path("scope").asText("*"),
                    body.path("priority").asInt(0), days, body.path("verify").asBoolean(true)));
        }));
        routes.add("POST", "/admin/v1/provider-keys/{id}/rotate", (p, body) -> guarded(() -> {
            String source = required(body, "source", "{\"source\":\"env:NEW_ANTHROPIC_KEY\"}");
            KeyRotation.RotationResult r = vault.rotate(p.get("id"), source);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("retired", ProviderKeyView.of(r.retired()));
            out.put("replacement", ProviderKeyView.of(r.replacement()));
            out.put("drained_cleanly", r.drainedCleanly());
            out.put("calls_cut", r.callsCut());
            return out;
        }));
        routes.add("POST", "/admin/v1/provider-keys/{id}/revoke", (p, body) -> guarded(() ->
                revoked(vault.revoke(p.get("id"), body.path("now").asBoolean(false), body.path("force").asBoolean(false)))));
        routes.add("POST", "/admin/v1/provider-keys/{id}/activate", (p, b) -> guarded(() ->
                ProviderKeyView.of(vault.activate(p.get("id")))));
    }

    private static String required(JsonNode body, String field, String example) {
        String value = body.path(field).asText("");
        if (value.isBlank()) {
            throw AdminError.badRequest(field + " is required, e.g. " + example);
        }
        return value;
    }

    /** The revoked key's view plus {@code calls_cut} and {@code was_last_active}. */
    private static Object revoked(dev.keywarden.vault.RevokedKey r) {
        java.util.Map<String, Object> view = ProviderKeyView.of(r.key());
        view.put("calls_cut", r.callsCut());
        view.put("was_last_active", r.wasLastActive());
        return view;
    }

    /** Maps vault failures to clear Anthropic-shaped errors (their messages never hold key material). */
    private static Object guarded(Supplier<Object> operation) {
        try {
            return operation.get();
        } catch (VaultSealedException e) {
            throw new AdminError(503, ErrorType.API, e.getMessage());
        } catch (DuplicateProviderKeyException | ProviderKeyStateException | IllegalStateException e) {
            throw new AdminError(409, ErrorType.INVALID_REQUEST, e.getMessage());
        } catch (SecretSourceException e) {
            if (e.kind() == SecretSourceException.Kind.UNAVAILABLE) {
                throw new AdminError(502, ErrorType.API, e.getMessage());
            }
            throw AdminError.badRequest(e.getMessage());
        } catch (RotationException e) {
            throw new AdminError(409, ErrorType.INVALID_REQUEST, e.getMessage());
        } catch (VaultException | IllegalArgumentException e) {
            throw AdminError.badRequest(e.getMessage());
        }
    }
}
