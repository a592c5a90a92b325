package dev.keywarden.limits.budget;

/**
 * Whose spend a budget counts: one principal (user or app), a team (its members' calls and its own), or
 * one virtual key.
 */
public enum Scope {
    PRINCIPAL, TEAM, KEY;

    public String wireName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
