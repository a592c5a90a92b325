package dev.keywarden.guard;

import java.util.Locale;

/** What one guard check does when it finds something. */
public enum Action {
    /** The check does not run. */
    OFF,
    /** Report the finding (response header, audit); change nothing. */
    FLAG,
    /** Refuse the request; nothing reaches upstream. */
    BLOCK,
    /** Replace the offending text with {@code [REDACTED:type]} and let the call go on. */
    REDACT;

    static Action parse(String raw, boolean redactAllowed) {
        Action a = switch (raw.strip().toLowerCase(Locale.ROOT)) {
            case "off" -> OFF;
            case "flag" -> FLAG;
            case "block" -> BLOCK;
            case "redact" -> REDACT;
            default -> null;
        };
        if (a == null || (a == REDACT && !redactAllowed)) {
            throw new IllegalArgumentException("must be " + (redactAllowed ? "off, flag, block or redact" : "off, flag or block"));
        }
        return a;
    }

    String wire() {
        return name().toLowerCase(Locale.ROOT);
    }
}
