package dev.keywarden.config;

import java.time.Duration;
import java.util.List;

/** {@code tokens.*}: limits on the short-lived tokens clients mint. */
final class TokensSection {

    static final Setting MAX_TTL = Setting.of("tokens.max_ttl", "KEYWARDEN_TOKENS_MAX_TTL", "1h",
            "longest lifetime a short-lived token may ask for (at least 1s; a token asking for none gets 15m or this when shorter)");
    static final Setting MAX_USES = Setting.of("tokens.max_uses", "KEYWARDEN_TOKENS_MAX_USES", "10000",
            "most uses a short-lived token may ask for (a token asking for none gets 100 or this when smaller)");
    static final List<Setting> SETTINGS = List.of(MAX_TTL, MAX_USES);

    private TokensSection() {
    }

    static TokensConfig parse(Values values) {
        return new TokensConfig(values.read(MAX_TTL, raw -> {
            Duration d = Values.duration(raw);
            if (d.toSeconds() < 1) {
                throw new IllegalArgumentException("must be at least 1s");
            }
            return d;
        }), values.read(MAX_USES, Values::positiveInt));
    }
}
