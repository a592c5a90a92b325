package dev.keywarden.config;

import java.util.List;
import java.util.Set;

/**
 * Operator policy for users' own Anthropic keys (bring your own key, docs/byok.md).
 *
 * @param enabled            {@code byok.enabled}: users may add a key of their own
 * @param modes              {@code byok.modes}: which of {@code server_held}, {@code sealed}, {@code session_only} are offered
 * @param tiers              {@code byok.tiers}: the tiers whose users may bring a key; empty means every tier
 * @param countTowardBudget  {@code byok.count_toward_budget}: calls made with a user's own key are admitted against and
 *                           charged to the tier budgets
 * @param notice             {@code byok.notice}: the security notice every client shows before a key is entered
 */
public record ByokConfig(boolean enabled, List<String> modes, Set<String> tiers, boolean countTowardBudget, String notice) {

    public static final String SERVER_HELD = "server_held";
    public static final String SEALED = "sealed";
    public static final String SESSION_ONLY = "session_only";
    /** Every mode, in the order a client offers them. */
    public static final List<String> ALL_MODES = List.of(SERVER_HELD, SEALED, SESSION_ONLY);

    public ByokConfig {
        modes = List.copyOf(modes);
        tiers = Set.copyOf(tiers);
        if (!ALL_MODES.containsAll(modes)) {
            throw new IllegalArgumentException("byok.modes must be among " + ALL_MODES);
        }
    }

    /** Whether a principal of {@code tier} may bring a key. */
    public boolean allowsTier(String tier) {
        return tiers.isEmpty() || (tier != null && tiers.contains(tier));
    }

    public boolean offers(String mode) {
        return enabled && modes.contains(mode);
    }
}
