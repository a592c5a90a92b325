package dev.keywarden.auth.token;

import dev.keywarden.pipeline.AuthOutcome;
import dev.keywarden.pipeline.Authenticator;

/**
 * The gateway's authenticator when tokens are on: a value starting with {@code kw_tmp_} is checked as a
 * short-lived token, anything else by the virtual-key authenticator. Neither ever sees the other's
 * credentials, and the presented value is never logged or echoed.
 */
public final class KeysAndTokens implements Authenticator {

    private final Authenticator keys;
    private final TokenService tokens;

    public KeysAndTokens(Authenticator keys, TokenService tokens) {
        this.keys = keys;
        this.tokens = tokens;
    }

    @Override
    public AuthOutcome authenticate(String presented) {
        return TokenFormat.looksLikeToken(presented) ? tokens.authenticate(presented) : keys.authenticate(presented);
    }
}
