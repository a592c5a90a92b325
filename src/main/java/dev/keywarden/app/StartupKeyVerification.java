package dev.keywarden.app;

import dev.keywarden.config.ConfigException;
import dev.keywarden.config.Environment;
import dev.keywarden.config.UpstreamConfig;
import dev.keywarden.vault.KeyVerification;
import dev.keywarden.vault.ProviderKey;
import dev.keywarden.vault.UpstreamKeyVerifier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The start-up check of {@code ANTHROPIC_API_KEY} (vault off): one cheap authenticated call upstream
 * before the gateway listens, so a wrong key is found by the operator at start and not by the first
 * client. Skipped with {@code upstream.verify_key_at_start: false} ({@code serve --no-verify}).
 *
 * <p>Guarantees: a key upstream refuses with 401 stops start-up in staging and production with one
 * line naming the setting ({@link ConfigException}); in development it is logged as a warning and the
 * gateway starts (the caller reports the rejection to the key store, which alerts; calls get the
 * gateway's own 503). An upstream that gives
 * no verdict (unreachable, timeout, 5xx, 429) stops start-up in every environment with one line naming
 * {@code --no-verify}. The key appears in none of these lines: it is named by its setting and fingerprint.
 */
final class StartupKeyVerification {

    private static final Logger LOG = LoggerFactory.getLogger(StartupKeyVerification.class);

    /** What the check concluded for a key that did not stop start-up. */
    enum Outcome { VERIFIED, REFUSED, SKIPPED }

    private StartupKeyVerification() {
    }

    /**
     * Checks {@code key} with {@code verifier} unless {@code upstream.verifyKeyAtStart()} is off.
     *
     * @throws ConfigException       when upstream refused the key outside development
     * @throws IllegalStateException when upstream gave no verdict (the message names {@code --no-verify})
     */
    static Outcome check(UpstreamConfig upstream, Environment environment, ProviderKey key, UpstreamKeyVerifier verifier) {
        if (!upstream.verifyKeyAtStart()) {
            LOG.info("provider key {} was not verified at start-up ({} is false)", key.fingerprint(),
                    UpstreamConfig.VERIFY_KEY_AT_START_SETTING);
            return Outcome.SKIPPED;
        }
        byte[] secret = key.secret().getBytes(StandardCharsets.UTF_8);
        KeyVerification verdict;
        try {
            verdict = verifier.verify(secret);
        } finally {
            Arrays.fill(secret, (byte) 0);
        }
        String host = upstream.url().getScheme() + "://" + upstream.url().getAuthority();
        return switch (verdict) {
            case KeyVerification.Valid v -> {
                LOG.info("provider key {} from {} verified upstream ({})", key.fingerprint(), upstream.apiKeySetting(), host);
                yield Outcome.VERIFIED;
            }
            case KeyVerification.Rejected r when r.status() == 401 -> refused(upstream, environment, key, host, r);
            case KeyVerification.Rejected r -> {
                LOG.warn("provider key {} from {}: upstream {} answered {}{} to the start-up check; the key authenticates,"
                                + " starting anyway", key.fingerprint(), upstream.apiKeySetting(), host, r.status(),
                        r.errorType().isEmpty() ? "" : " " + r.errorType());
                yield Outcome.VERIFIED;
            }
            case KeyVerification.Unverifiable u -> throw new IllegalStateException("cannot verify " + upstream.apiKeySetting()
                    + " at start-up: " + u.reason() + "; start with --no-verify (" + UpstreamConfig.VERIFY_KEY_AT_START_SETTING
                    + ": false) to skip the check");
        };
    }

    private static Outcome refused(UpstreamConfig upstream, Environment environment, ProviderKey key, String host,
                                   KeyVerification.Rejected r) {
        String what = "upstream " + host + " refused the provider key " + key.fingerprint() + " from " + upstream.apiKeySetting()
                + " (" + r.status() + (r.errorType().isEmpty() ? "" : " " + r.errorType()) + ")";
        if (!environment.isDevelopment()) {
            throw new ConfigException(upstream.apiKeySetting() + ": " + what + " at start-up; set it to a valid key from the"
                    + " Anthropic console (or start with --no-verify to skip the check)");
        }
        LOG.warn("{} at start-up; starting anyway because environment is development: calls will be refused with 503"
                + " until a valid key is set", what);
        return Outcome.REFUSED;
    }
}
