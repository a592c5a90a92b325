package dev.keywarden.config;

import dev.keywarden.config.GuardConfig.Action;
import java.util.Locale;

/**
 * How strongly the guardrails act for a tier: {@link #OFF} runs no check, {@link #FLAG} runs every
 * check but only reports (header and audit; nothing is refused or rewritten: a dry run for rolling
 * guardrails out), {@link #ENFORCE} lets each check take its configured {@link Action}. Spelled
 * {@code off | flag | block} in configuration ({@code block} = enforce).
 */
public enum GuardMode {
    OFF, FLAG, ENFORCE;

    static GuardMode parse(String raw) {
        return switch (raw.strip().toLowerCase(Locale.ROOT)) {
            case "off" -> OFF;
            case "flag" -> FLAG;
            case "block", "enforce", "on" -> ENFORCE;
            default -> throw new IllegalArgumentException("must be off, flag (report only) or block (each check takes its configured action)");
        };
    }

    /** The action a check configured with {@code configured} actually takes under this mode. */
    public Action apply(Action configured) {
        return switch (this) {
            case OFF -> Action.OFF;
            case FLAG -> configured == Action.OFF ? Action.OFF : Action.FLAG;
            case ENFORCE -> configured;
        };
    }

    /** As configuration spells it: off, flag or block. */
    String wire() {
        return this == ENFORCE ? "block" : name().toLowerCase(Locale.ROOT);
    }
}
