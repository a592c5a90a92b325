package dev.keywarden.config;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/** {@code byok.*}: users' own Anthropic keys. Guarantee: modes and tiers are checked at load, one line naming the setting. */
final class ByokSection {

    static final String DEFAULT_NOTICE = "Your Anthropic API key is checked once with Anthropic and then kept as you choose."
            + " Server-held: stored in this gateway's database, encrypted under the gateway's key-encryption key;"
            + " the gateway (and so its operators) can decrypt and use it for your calls until you delete it."
            + " Sealed: stored encrypted under a key derived from a passphrase only you know (never stored);"
            + " the gateway can use it only after you unlock it in a session, and only for that session;"
            + " a forgotten passphrase cannot be recovered: delete the key and add it again."
            + " Session-only: never written to disk; held encrypted for this browser session only and forgotten at"
            + " sign-out, session expiry or a gateway restart."
            + " The key is never shown again: only its fingerprint (sk-ant-api03-…WXYZ)."
            + " Revoke it any time with Delete here, and in the Anthropic Console."
            + " Use a separate key made for this gateway, with its own spend limit set in the Anthropic Console.";

    static final Setting ENABLED = Setting.of("byok.enabled", "KEYWARDEN_BYOK_ENABLED", "false",
            "users may add their own Anthropic key (bring your own key, docs/byok.md): true or false");
    static final Setting MODES = Setting.of("byok.modes", "KEYWARDEN_BYOK_MODES", String.join(",", ByokConfig.ALL_MODES),
            "how a user's key may be kept: server_held (encrypted under the vault KEK; needs vault.kek), sealed"
                    + " (under the user's passphrase), session_only (memory of the session); a YAML list or comma-separated")
            .asList();
    static final Setting TIERS = Setting.of("byok.tiers", "KEYWARDEN_BYOK_TIERS", null,
            "tiers whose users may bring a key (a YAML list or comma-separated)").asList().shown("every tier");
    static final Setting COUNT_TOWARD_BUDGET = Setting.of("byok.count_toward_budget", "KEYWARDEN_BYOK_COUNT_TOWARD_BUDGET",
            "false", "calls made with a user's own key are admitted against and charged to the tier budgets: true or false"
                    + " (rate limits and guardrails apply either way)");
    static final Setting NOTICE = Setting.of("byok.notice", "KEYWARDEN_BYOK_NOTICE", DEFAULT_NOTICE,
            "the security notice every client shows before a key is entered (GET /api/byok/notice): what is stored, where,"
                    + " who can decrypt it, how to revoke it").shown("what is stored where, who can decrypt it, how to revoke"
                    + " it, and advice to use a separate key with its own spend limit");
    static final List<Setting> SETTINGS = List.of(ENABLED, MODES, TIERS, COUNT_TOWARD_BUDGET, NOTICE);

    private ByokSection() {
    }

    static ByokConfig parse(Values values, Predicate<String> knownTier) {
        boolean enabled = values.read(ENABLED, Values::trueFalse);
        List<String> modes = values.read(MODES, ByokSection::modes);
        Set<String> tiers = values.optional(TIERS, raw -> tiers(raw, knownTier)).orElse(Set.of());
        boolean count = values.read(COUNT_TOWARD_BUDGET, Values::trueFalse);
        String notice = values.read(NOTICE, raw -> {
            if (raw.isBlank()) {
                throw new IllegalArgumentException("must not be empty: clients show it before a key is entered");
            }
            return raw.strip();
        });
        return new ByokConfig(enabled, modes, tiers, count, notice);
    }

    private static List<String> modes(String raw) {
        Set<String> out = new LinkedHashSet<>();
        for (String part : raw.split("[,\\s]+")) {
            if (!part.isBlank()) {
                out.add(Values.oneOf(part, ByokConfig.ALL_MODES, "must list server_held, sealed and/or session_only"));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("must list at least one of server_held, sealed, session_only (or set byok.enabled"
                    + " to false)");
        }
        return new ArrayList<>(out);
    }

    private static Set<String> tiers(String raw, Predicate<String> knownTier) {
        Set<String> out = new LinkedHashSet<>();
        for (String part : raw.split("[,\\s]+")) {
            String t = part.strip().toLowerCase(java.util.Locale.ROOT);
            if (t.isEmpty()) {
                continue;
            }
            if (!knownTier.test(t)) {
                throw new IllegalArgumentException("names tier '" + t + "', which is not configured (tiers.<name>.*)");
            }
            out.add(t);
        }
        return out;
    }
}
