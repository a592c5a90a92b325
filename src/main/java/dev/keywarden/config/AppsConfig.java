package dev.keywarden.config;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The apps the chat endpoint ({@code POST /api/chat}) serves, validated by {@link AppsSection}: for each, the model,
 * the system prompt and the {@code max_tokens} the server sends. The browser chooses only which app (by name) and the
 * user's turns; everything here is fixed by the operator. The app named {@value #DEFAULT_APP} always exists (shipped
 * defaults unless configured) and serves a request that names none. Immutable.
 *
 * @param apps every app by name, {@value #DEFAULT_APP} included
 */
public record AppsConfig(Map<String, App> apps) {

    /** The app a chat request without {@code app} uses. */
    public static final String DEFAULT_APP = "default";

    public AppsConfig {
        apps = Map.copyOf(apps);
        if (!apps.containsKey(DEFAULT_APP)) {
            throw new IllegalArgumentException("the app '" + DEFAULT_APP + "' is missing");
        }
    }

    /**
     * One app.
     *
     * @param models       the model, or several in order of preference: the first one the caller's tier allows
     *                     ({@code tiers.<name>.models}) is used, the first one when the tier allows none of them
     * @param systemPrompt the operator's system prompt
     * @param maxTokens    the {@code max_tokens} every call of the app sends
     */
    public record App(String name, List<String> models, String systemPrompt, int maxTokens) {
        public App {
            Objects.requireNonNull(name, "name");
            models = List.copyOf(models);
            if (models.isEmpty()) {
                throw new IllegalArgumentException("an app needs a model");
            }
            Objects.requireNonNull(systemPrompt, "systemPrompt");
            if (maxTokens < 1) {
                throw new IllegalArgumentException("max_tokens must be at least 1");
            }
        }
    }

    /** The app named {@code name}, if configured. */
    public Optional<App> app(String name) {
        return Optional.ofNullable(apps.get(name));
    }

    /** The app serving requests that name none. */
    public App defaultApp() {
        return apps.get(DEFAULT_APP);
    }

    /** The shipped defaults alone (one app, {@value #DEFAULT_APP}). */
    public static AppsConfig defaults() {
        return AppsSection.parse(Values.ofMap(Map.of()), 0);
    }
}
