package dev.keywarden.upstream.fake;

import dev.keywarden.log.Redactor;

/**
 * Client-supplied text the fake repeats (in error messages and the simulated reply).
 *
 * <p>Guarantee: the result is at most {@code max} characters plus an ellipsis and has every
 * credential shape {@link Redactor} knows masked, so the fake never repeats a key.
 */
final class Echo {

    private Echo() {
    }

    static String safe(String clientText, int max) {
        String cut = clientText.length() <= max ? clientText : clientText.substring(0, max) + "…";
        return Redactor.redact(cut);
    }
}
