package dev.keywarden.guard;

import dev.keywarden.config.ConfigException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * The guardrails' settings, validated. Defaults (a security product's, see docs/guardrails.md):
 * mode {@code block}; request validation on (no extra caps); secrets in prompts {@code redact};
 * secrets in model output {@code redact}; prompt injection {@code flag} at threshold
 * {@value #DEFAULT_THRESHOLD}. Per tier: {@code tiers.<name>.guard} (off | flag | block) overrides
 * {@code guard.mode}, {@code tiers.<name>.models} is the tier's model allow-list (globs such as
 * {@code claude-haiku-*}; absent = every model).
 *
 * <p>Guarantee: {@link #from} accepts only valid settings and otherwise throws
 * {@link ConfigException} with one line naming the setting and the fix. Immutable.
 */
public record GuardConfig(GuardMode mode, Map<String, GuardMode> tierModes, Map<String, List<String>> tierModels,
                          Validation validation, Action secretsInput, Action secretsOutput,
                          Action injection, double injectionThreshold) {

    public static final double DEFAULT_THRESHOLD = 1.0;

    /**
     * Request validation of {@code POST /v1/messages}; a cap of 0 means none (upstream's own limits apply).
     *
     * @param maxPromptChars total characters of text in system, messages and tool results
     */
    public record Validation(boolean enabled, long maxTokens, int maxMessages, long maxPromptChars, int maxTools) {
    }

    /** One setting: YAML path, environment variable, default. */
    record Setting(String path, String env, String defaultValue) {
        String label() {
            return path + " (" + env + ")";
        }
    }

    static final Setting MODE = new Setting("guard.mode", "KEYWARDEN_GUARD_MODE", "block");
    static final Setting VALIDATION = new Setting("guard.validation.enabled", "KEYWARDEN_GUARD_VALIDATION", "on");
    static final Setting MAX_TOKENS = new Setting("guard.validation.max_tokens", "KEYWARDEN_GUARD_MAX_TOKENS", "0");
    static final Setting MAX_MESSAGES = new Setting("guard.validation.max_messages", "KEYWARDEN_GUARD_MAX_MESSAGES", "0");
    static final Setting MAX_PROMPT = new Setting("guard.validation.max_prompt_chars", "KEYWARDEN_GUARD_MAX_PROMPT_CHARS", "0");
    static final Setting MAX_TOOLS = new Setting("guard.validation.max_tools", "KEYWARDEN_GUARD_MAX_TOOLS", "0");
    static final Setting SECRETS_INPUT = new Setting("guard.secrets.input", "KEYWARDEN_GUARD_SECRETS_INPUT", "redact");
    static final Setting SECRETS_OUTPUT = new Setting("guard.secrets.output", "KEYWARDEN_GUARD_SECRETS_OUTPUT", "redact");
    static final Setting INJECTION = new Setting("guard.injection.action", "KEYWARDEN_GUARD_INJECTION", "flag");
    static final Setting THRESHOLD = new Setting("guard.injection.threshold", "KEYWARDEN_GUARD_INJECTION_THRESHOLD",
            Double.toString(DEFAULT_THRESHOLD));
    static final List<Setting> SETTINGS = List.of(MODE, VALIDATION, MAX_TOKENS, MAX_MESSAGES, MAX_PROMPT, MAX_TOOLS,
            SECRETS_INPUT, SECRETS_OUTPUT, INJECTION, THRESHOLD);
    private static final Pattern TIER_SETTING = Pattern.compile("tiers\\.([a-z0-9][a-z0-9_-]{0,39})\\.(guard|models)");

    /** The defaults alone. */
    public static GuardConfig defaults() {
        return from(Map.of());
    }

    /** True for a YAML path this class reads ({@code guard.*}, {@code tiers.<name>.guard}, {@code tiers.<name>.models}). */
    public static boolean isGuardSetting(String path) {
        return path.startsWith("guard.") || (path.startsWith("tiers.") && (path.endsWith(".guard") || path.endsWith(".models")));
    }

    /**
     * Builds the configuration from raw values keyed by YAML path or by environment variable name
     * (an environment variable wins over the YAML path); lists are comma-separated.
     */
    public static GuardConfig from(Map<String, String> raw) {
        Map<String, String> values = new LinkedHashMap<>();
        for (Setting s : SETTINGS) {
            String v = raw.get(s.env()) != null && !raw.get(s.env()).isBlank() ? raw.get(s.env()) : raw.get(s.path());
            values.put(s.path(), v == null ? s.defaultValue() : v);
        }
        Map<String, GuardMode> tierModes = new LinkedHashMap<>();
        Map<String, List<String>> tierModels = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : raw.entrySet()) {
            String path = e.getKey();
            if (path.startsWith("KEYWARDEN_") || SETTINGS.stream().anyMatch(s -> s.path().equals(path))) {
                continue;
            }
            var m = TIER_SETTING.matcher(path);
            if (m.matches()) {
                if (m.group(2).equals("guard")) {
                    tierModes.put(m.group(1), parse(path, e.getValue(), GuardMode::parse));
                } else {
                    tierModels.put(m.group(1), parse(path, e.getValue(), ModelGlobs::parseList));
                }
                continue;
            }
            throw new ConfigException(path + ": unknown setting; guard settings are "
                    + String.join(", ", SETTINGS.stream().map(Setting::path).toList())
                    + ", tiers.<name>.guard and tiers.<name>.models");
        }
        Validation validation = new Validation(
                parse(VALIDATION, values, GuardConfig::onOff),
                parse(MAX_TOKENS, values, GuardConfig::cap),
                (int) Math.min(Integer.MAX_VALUE, parse(MAX_MESSAGES, values, GuardConfig::cap)),
                parse(MAX_PROMPT, values, GuardConfig::cap),
                (int) Math.min(Integer.MAX_VALUE, parse(MAX_TOOLS, values, GuardConfig::cap)));
        return new GuardConfig(parse(MODE, values, GuardMode::parse), Map.copyOf(tierModes), Map.copyOf(tierModels), validation,
                parse(SECRETS_INPUT, values, v -> Action.parse(v, true)),
                parse(SECRETS_OUTPUT, values, v -> {
                    Action a = Action.parse(v, true);
                    if (a == Action.BLOCK) {
                        throw new IllegalArgumentException("must be off, flag or redact (model output cannot be blocked"
                                + " once it is streaming)");
                    }
                    return a;
                }),
                parse(INJECTION, values, v -> Action.parse(v, false)),
                parse(THRESHOLD, values, GuardConfig::threshold));
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
        return "guardrails mode " + wire(mode) + (tierModes.isEmpty() ? "" : " (tiers: " + new java.util.TreeMap<>(tierModes)
                .entrySet().stream().map(e -> e.getKey() + " " + wire(e.getValue())).toList() + ")")
                + "; validation " + (validation.enabled() ? "on" : "off") + "; secrets in prompts " + secretsInput.wire()
                + ", in output " + secretsOutput.wire() + "; prompt injection " + injection.wire() + " at score >= " + injectionThreshold;
    }

    static String wire(GuardMode m) {
        return m == GuardMode.ENFORCE ? "block" : m.name().toLowerCase(Locale.ROOT);
    }

    private static <T> T parse(Setting s, Map<String, String> values, Function<String, T> parser) {
        return parse(s.label(), values.get(s.path()), parser);
    }

    private static <T> T parse(String label, String raw, Function<String, T> parser) {
        try {
            return parser.apply(raw);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(label + ": '" + raw + "' " + e.getMessage());
        }
    }

    private static boolean onOff(String raw) {
        return switch (raw.strip().toLowerCase(Locale.ROOT)) {
            case "on", "true", "yes" -> true;
            case "off", "false", "no" -> false;
            default -> throw new IllegalArgumentException("must be on or off");
        };
    }

    private static long cap(String raw) {
        long v;
        try {
            v = Long.parseLong(raw.strip().replace("_", ""));
        } catch (NumberFormatException e) {
            v = -1;
        }
        if (v < 0) {
            throw new IllegalArgumentException("must be a whole number, 0 for no cap");
        }
        return v;
    }

    private static double threshold(String raw) {
        double v;
        try {
            v = Double.parseDouble(raw.strip());
        } catch (NumberFormatException e) {
            v = Double.NaN;
        }
        if (!(v > 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException("must be a positive number such as " + DEFAULT_THRESHOLD);
        }
        return v;
    }
}
