package dev.keywarden.config;

/** Deployment environment. {@code development} allows conveniences (.env files) that production refuses. */
public enum Environment {
    DEVELOPMENT, PRODUCTION;

    static Environment parse(String raw) {
        return switch (raw.trim().toLowerCase(java.util.Locale.ROOT)) {
            case "development", "dev" -> DEVELOPMENT;
            case "production", "prod" -> PRODUCTION;
            default -> throw new IllegalArgumentException("must be 'development' or 'production'");
        };
    }
}
