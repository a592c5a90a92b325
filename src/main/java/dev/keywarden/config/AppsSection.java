package dev.keywarden.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * {@code apps.<name>.*}: what the chat endpoint sends upstream for each app. Guarantee: every app has a model of
 * model-id characters, a non-blank system prompt and a positive {@code max_tokens} no larger than
 * {@code guard.validation.max_tokens} (when that cap is set; an unset one is lowered to it), so no app can be configured into a call the guard
 * refuses for its size; the app {@value AppsConfig#DEFAULT_APP} always exists.
 */
final class AppsSection {

    static final String SHIPPED_MODEL = "claude-sonnet-4-5";
    static final String SHIPPED_PROMPT = "You are a helpful assistant.";
    static final int SHIPPED_MAX_TOKENS = 1024;
    /** Longest system prompt accepted (characters): a prompt is configuration, not a document. */
    static final int MAX_PROMPT_CHARS = 100_000;

    static final Setting MODEL = Setting.of("apps.<name>.model", "KEYWARDEN_APPS_<NAME>_MODEL", SHIPPED_MODEL,
            "the model the app's chat calls use; a YAML list (or comma-separated) is an order of preference: the first"
                    + " one the user's tier allows (its models allow-list) is used").asList();
    static final Setting SYSTEM_PROMPT = Setting.of("apps.<name>.system_prompt", "KEYWARDEN_APPS_<NAME>_SYSTEM_PROMPT",
            SHIPPED_PROMPT, "the system prompt of the app's chat calls (the server adds one sentence saying that user turns"
                    + " come inside user_input tags)");
    static final Setting MAX_TOKENS = Setting.of("apps.<name>.max_tokens", "KEYWARDEN_APPS_<NAME>_MAX_TOKENS",
            String.valueOf(SHIPPED_MAX_TOKENS), "max_tokens of the app's chat calls (at most guard.validation.max_tokens"
                    + " when that is set; left unset, the default is lowered to that cap)");
    static final List<Setting> SETTINGS = List.of(MODEL, SYSTEM_PROMPT, MAX_TOKENS);

    private AppsSection() {
    }

    /** @param maxTokensCap {@code guard.validation.max_tokens} (0: no cap) */
    static AppsConfig parse(Values values, long maxTokensCap) {
        TreeSet<String> names = new TreeSet<>();
        names.add(AppsConfig.DEFAULT_APP);
        SETTINGS.forEach(s -> names.addAll(values.names(s)));
        Map<String, AppsConfig.App> apps = new LinkedHashMap<>();
        for (String name : names) {
            if (!Setting.TIER_NAME.matcher(name).matches()) {
                throw new ConfigException("apps." + name + ": '" + name + "' is not an app name; use lower-case letters,"
                        + " digits, _ and - (at most 40 characters)");
            }
            List<String> models = values.read(MODEL.named(name), AppsSection::models);
            Setting promptSetting = SYSTEM_PROMPT.named(name);
            String prompt = values.get(promptSetting).strip();
            if (prompt.length() > MAX_PROMPT_CHARS) {
                throw Values.error(promptSetting, "is longer than " + MAX_PROMPT_CHARS + " characters; shorten it");
            }
            Setting maxTokensSetting = MAX_TOKENS.named(name);
            int maxTokens = values.read(maxTokensSetting, Values::positiveInt);
            if (!values.isGiven(maxTokensSetting) && maxTokensCap > 0) {
                maxTokens = (int) Math.min(maxTokens, maxTokensCap);
            }
            if (maxTokensCap > 0 && maxTokens > maxTokensCap) {
                throw Values.error(maxTokensSetting, maxTokens + " is above guard.validation.max_tokens (" + maxTokensCap
                        + "), so every call of the app would be refused; lower it or raise the cap");
            }
            apps.put(name, new AppsConfig.App(name, models, prompt, maxTokens));
        }
        return new AppsConfig(apps);
    }

    private static List<String> models(String raw) {
        List<String> out = new ArrayList<>();
        for (String part : raw.split(",")) {
            String m = part.strip().toLowerCase(Locale.ROOT);
            if (m.isEmpty()) {
                continue;
            }
            if (!m.matches("[a-z0-9][a-z0-9._:@-]{0,127}")) {
                throw new IllegalArgumentException("must be a model id such as claude-sonnet-4-5 (or a list of them); no globs");
            }
            if (!out.contains(m)) {
                out.add(m);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("must name a model such as claude-sonnet-4-5");
        }
        return List.copyOf(out);
    }
}
