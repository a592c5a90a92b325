package dev.keywarden.config;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The guardrails' settings, validated by {@link GuardSection} (every default is there; see also
 * docs/guardrails.md): mode {@code block}; request validation on (no extra caps); secrets in prompts
 * {@code redact}; secrets in model output {@code redact}; prompt injection {@code flag} at threshold
 * {@value #DEFAULT_THRESHOLD}. Per tier: {@code tiers.<name>.guard} (off | flag | block) overrides
 * {@code guard.mode}, {@code tiers.<name>.models} is the tier's model allow-list (globs such as
 * {@code claude-haiku-*}; absent = every model). Immutable.
 */
public record GuardConfig(GuardMode mode, Map<String, GuardMode> tierModes, Map<String, List<String>> tierModels,
                          Validation validation, Action secretsInput, Action secretsOutput,
                          Action injection, double injectionThreshold) {

    public static final double DEFAULT_THRESHOLD = 1.0;

    public GuardConfig {
        tierModes = Map.copyOf(tierModes);
        tierModels = Map.copyOf(tierModels);
    }

    /**
     * Request validation of {@code POST /v1/messages}; a cap of 0 means none (upstream's own limits apply).
     *
     * @param maxPromptChars total characters of text in system, messages and tool results
     */
    public record Validation(boolean enabled, long maxTokens, int maxMessages, long maxPromptChars, int maxTools) {
    }

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

        /** As configuration and the {@code keywarden-guard} header spell it. */
        public String wire() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** The defaults alone. */
    public static GuardConfig defaults() {
        return from(Map.of());
    }

    /**
     * Guard settings from raw values keyed by YAML path or environment variable (a variable wins over its path;
     * lists comma-separated), through the same parser as {@link ConfigLoader}: for tests and tools.
     *
     * @throws ConfigException naming the setting and the fix, also for an unknown {@code guard.*} or {@code tiers.*} key
     */
    public static GuardConfig from(Map<String, String> raw) {
        ConfigSchema.checkKnown(raw.keySet(), "guard", "tiers");
        return GuardSection.parse(Values.ofMap(raw));
    }

    /** The mode for a principal of {@code tier} (null: the global mode). */
    public GuardMode modeFor(String tier) {
        GuardMode m = tier == null ? null : tierModes.get(tier);
        return m != null ? m : mode;
    }

    /** The model globs {@code tier} may use, or null when it may use every model. */
    public List<String> modelsFor(String tier) {
        return tier == null ? null : tierModels.get(tier);
    }

    /** True when model output needs inspecting for some tier (else the relay stays byte for byte). */
    public boolean outputGuarded() {
        if (secretsOutput == Action.OFF) {
            return false;
        }
        return mode != GuardMode.OFF || tierModes.values().stream().anyMatch(m -> m != GuardMode.OFF);
    }

    /** One line for the start-up log. */
    public String describe() {
        return "guardrails mode " + mode.wire() + (tierModes.isEmpty() ? "" : " (tiers: " + new java.util.TreeMap<>(tierModes)
                .entrySet().stream().map(e -> e.getKey() + " " + e.getValue().wire()).toList() + ")")
                + "; validation " + (validation.enabled() ? "on" : "off") + "; secrets in prompts " + secretsInput.wire()
                + ", in output " + secretsOutput.wire() + "; prompt injection " + injection.wire() + " at score >= " + injectionThreshold;
    }
}
