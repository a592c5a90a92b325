package dev.keywarden.upstream.fake;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import org.eclipse.jetty.http.HttpFields;

/**
 * The betas a request opted into with {@code anthropic-beta} (a comma list, possibly over several
 * header lines), and what the fake does differently under them.
 *
 * <p>Guarantee: names are compared trimmed and case-insensitively; an absent header is the empty set.
 */
final class Betas {

    static final String HEADER = "anthropic-beta";
    /** {@code "role":"system"} messages inside {@code messages} (Claude Code sends them for newer models). */
    static final String MID_CONVERSATION_SYSTEM = "mid-conversation-system-2026-04-07";
    /**
     * Per-turn control, which Claude Code treats as also enabling mid-conversation system messages
     * (it sends them whenever this beta or the one above is on).
     */
    static final String PER_TURN_CONTROL = "per-turn-control-2026-07-01";

    private final Set<String> names;

    private Betas(Set<String> names) {
        this.names = names;
    }

    static final Betas NONE = new Betas(Set.of());

    static Betas of(HttpFields headers) {
        Set<String> names = new LinkedHashSet<>();
        for (String value : headers.getValuesList(HEADER)) {
            for (String name : value.split(",")) {
                if (!name.isBlank()) {
                    names.add(name.strip().toLowerCase(Locale.ROOT));
                }
            }
        }
        return names.isEmpty() ? NONE : new Betas(Set.copyOf(names));
    }

    boolean has(String beta) {
        return names.contains(beta);
    }

    /** Whether a {@code "role":"system"} message may appear inside {@code messages}. */
    boolean allowMidConversationSystem() {
        return has(MID_CONVERSATION_SYSTEM) || has(PER_TURN_CONTROL);
    }
}
