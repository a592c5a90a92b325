package dev.keywarden.auth;

import java.time.Instant;

/**
 * A user, team or app that owns virtual keys and is rate-limited as one. Holds no secret.
 *
 * @param tier   the rate-limit tier name (free, pro, enterprise or a custom tier from config)
 * @param teamId the id of the team principal this one belongs to, or null
 */
public record Principal(String id, String name, Kind kind, String tier, State state, String teamId, Instant createdAt) {

    /** What a principal stands for. */
    public enum Kind {
        USER, TEAM, APP;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** Parses user|team|app (any case). */
        public static Kind parse(String raw) {
            if (raw != null) {
                for (Kind k : values()) {
                    if (k.wireName().equalsIgnoreCase(raw.strip())) {
                        return k;
                    }
                }
            }
            throw new IllegalArgumentException("a principal kind is user, team or app (got " + safe(raw) + ")");
        }
    }

    /** Whether the principal's keys may be used. */
    public enum State {
        ACTIVE, SUSPENDED;

        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        static State parse(String raw) {
            return "suspended".equalsIgnoreCase(raw) ? SUSPENDED : ACTIVE;
        }
    }

    public boolean suspended() {
        return state == State.SUSPENDED;
    }

    static String safe(String raw) {
        if (raw == null) {
            return "nothing";
        }
        String s = raw.strip();
        return s.length() > 40 || s.startsWith("sk-ant-") || s.startsWith("kw_") ? "a value that is not a kind" : "'" + s + "'";
    }
}
