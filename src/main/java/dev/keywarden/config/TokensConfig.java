package dev.keywarden.config;

import java.time.Duration;

/**
 * Limits on the short-lived tokens clients mint ({@code POST /v1/keywarden/tokens}).
 *
 * @param maxTtl  the longest lifetime a token may ask for ({@code tokens.max_ttl})
 * @param maxUses the most uses a token may ask for ({@code tokens.max_uses})
 */
public record TokensConfig(Duration maxTtl, int maxUses) {

    /** Lifetime of a token that does not ask for one: 15 minutes, or {@code maxTtl} when shorter. */
    public static final Duration DEFAULT_TTL = Duration.ofMinutes(15);
    /** Uses of a token that does not ask for a number: 100, or {@code maxUses} when smaller. */
    public static final int DEFAULT_USES = 100;

    /** The settings' defaults ({@link TokensSection}). */
    public static final TokensConfig DEFAULTS = TokensSection.parse(Values.ofMap(java.util.Map.of()));

    public TokensConfig {
        if (maxTtl.toSeconds() < 1) {
            throw new IllegalArgumentException("tokens.max_ttl must be at least 1s");
        }
        if (maxUses < 1) {
            throw new IllegalArgumentException("tokens.max_uses must be at least 1");
        }
    }

    public Duration defaultTtl() {
        return maxTtl.compareTo(DEFAULT_TTL) < 0 ? maxTtl : DEFAULT_TTL;
    }

    public int defaultUses() {
        return Math.min(DEFAULT_USES, maxUses);
    }
}
