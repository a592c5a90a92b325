package dev.keywarden.config;

import dev.keywarden.config.GuardConfig.Action;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** {@code guard.*} and {@code tiers.<name>.guard|models}: the guardrails on request bodies and model output. */
final class GuardSection {

    static final Setting MODE = Setting.of("guard.mode", "KEYWARDEN_GUARD_MODE", "block",
            "off, flag (every check only reports) or block (each check takes its configured action)");
    static final Setting VALIDATION = Setting.of("guard.validation.enabled", "KEYWARDEN_GUARD_VALIDATION", "on",
            "request validation of POST /v1/messages (shape, the caps below, the tier's models) on or off");
    static final Setting MAX_TOKENS = Setting.of("guard.validation.max_tokens", "KEYWARDEN_GUARD_MAX_TOKENS", "0",
            "largest max_tokens a request may ask for (0 = upstream's own limit)");
    static final Setting MAX_MESSAGES = Setting.of("guard.validation.max_messages", "KEYWARDEN_GUARD_MAX_MESSAGES", "0",
            "most messages in a request (0 = no cap)");
    static final Setting MAX_PROMPT = Setting.of("guard.validation.max_prompt_chars", "KEYWARDEN_GUARD_MAX_PROMPT_CHARS", "0",
            "most characters of text in system, messages and tool results (0 = no cap)");
    static final Setting MAX_TOOLS = Setting.of("guard.validation.max_tools", "KEYWARDEN_GUARD_MAX_TOOLS", "0",
            "most tool definitions in a request (0 = no cap)");
    static final Setting SECRETS_INPUT = Setting.of("guard.secrets.input", "KEYWARDEN_GUARD_SECRETS_INPUT", "redact",
            "credentials pasted into a prompt: off, flag, block or redact");
    static final Setting SECRETS_OUTPUT = Setting.of("guard.secrets.output", "KEYWARDEN_GUARD_SECRETS_OUTPUT", "redact",
            "credentials in model output, JSON or streamed: off, flag or redact (a stream cannot be blocked)");
    static final Setting INJECTION = Setting.of("guard.injection.action", "KEYWARDEN_GUARD_INJECTION", "flag",
            "likely prompt injection: off, flag or block");
    static final Setting THRESHOLD = Setting.of("guard.injection.threshold", "KEYWARDEN_GUARD_INJECTION_THRESHOLD",
            Double.toString(GuardConfig.DEFAULT_THRESHOLD), "injection score at which a prompt counts as an injection (above 0)");
    static final Setting TIER_MODE = Setting.of("tiers.<name>.guard", "KEYWARDEN_TIERS_<NAME>_GUARD", null,
            "the tier's guard mode (off, flag or block), overriding guard.mode").shown("guard.mode");
    static final Setting TIER_MODELS = Setting.of("tiers.<name>.models", "KEYWARDEN_TIERS_<NAME>_MODELS", null,
            "the tier's model allow-list: model ids or globs such as claude-haiku-* (a YAML list or comma-separated)")
            .asList().shown("every model");
    static final List<Setting> SETTINGS = List.of(MODE, VALIDATION, MAX_TOKENS, MAX_MESSAGES, MAX_PROMPT, MAX_TOOLS,
            SECRETS_INPUT, SECRETS_OUTPUT, INJECTION, THRESHOLD, TIER_MODE, TIER_MODELS);

    private GuardSection() {
    }

    static GuardConfig parse(Values values) {
        Map<String, GuardMode> tierModes = new LinkedHashMap<>();
        values.names(TIER_MODE).forEach(name -> tierModes.put(name, values.read(TIER_MODE.named(name), GuardMode::parse)));
        Map<String, List<String>> tierModels = new LinkedHashMap<>();
        values.names(TIER_MODELS).forEach(name -> tierModels.put(name, values.read(TIER_MODELS.named(name), GuardSection::models)));
        GuardConfig.Validation validation = new GuardConfig.Validation(
                values.read(VALIDATION, Values::onOff),
                values.read(MAX_TOKENS, Values.wholeNumber("no cap")),
                cap(values.read(MAX_MESSAGES, Values.wholeNumber("no cap"))),
                values.read(MAX_PROMPT, Values.wholeNumber("no cap")),
                cap(values.read(MAX_TOOLS, Values.wholeNumber("no cap"))));
        return new GuardConfig(values.read(MODE, GuardMode::parse), tierModes, tierModels, validation,
                values.read(SECRETS_INPUT, v -> Action.parse(v, true)),
                values.read(SECRETS_OUTPUT, v -> {
                    Action a = Action.parse(v, true);
                    if (a == Action.BLOCK) {
                        throw new IllegalArgumentException("must be off, flag or redact (model output cannot be blocked"
                                + " once it is streaming)");
                    }
                    return a;
                }),
                values.read(INJECTION, v -> Action.parse(v, false)),
                values.read(THRESHOLD, Values.numberAbove(0, "a positive number such as " + GuardConfig.DEFAULT_THRESHOLD)));
    }

    private static int cap(long v) {
        return (int) Math.min(Integer.MAX_VALUE, v);
    }

    /** A comma-separated list of model ids or globs; each made of model-id characters and {@code *}. */
    private static List<String> models(String raw) {
        List<String> out = new ArrayList<>();
        for (String part : raw.split(",")) {
            String g = part.strip().toLowerCase(Locale.ROOT);
            if (g.isEmpty()) {
                continue;
            }
            if (!g.matches("[a-z0-9._:@*-]+")) {
                throw new IllegalArgumentException("must list model ids or globs such as claude-haiku-*, claude-sonnet-4-5");
            }
            out.add(g);
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("must list at least one model id or glob such as claude-haiku-*");
        }
        return List.copyOf(out);
    }
}
