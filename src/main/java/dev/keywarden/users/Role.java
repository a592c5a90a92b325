package dev.keywarden.users;

import java.util.Locale;

/** What a user may do in the web UI: {@code user}, or {@code admin} (operator pages; the admin API keeps its own tokens). */
public enum Role {
    USER, ADMIN;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses user|admin (any case); null means user. */
    public static Role parse(String raw) {
        if (raw == null || raw.isBlank()) {
            return USER;
        }
        return switch (raw.strip().toLowerCase(Locale.ROOT)) {
            case "user" -> USER;
            case "admin" -> ADMIN;
            default -> throw new IllegalArgumentException("a role is user or admin");
        };
    }
}
