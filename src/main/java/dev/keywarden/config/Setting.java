package dev.keywarden.config;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * One configuration setting as an operator writes it: its YAML path, its environment variable, its
 * default and one line of meaning. The settings each section declares are the only source of what
 * {@link ConfigLoader} accepts and of what docs/configuration.md lists ({@link ConfigReference}).
 *
 * <p>A path may hold the placeholder {@code <name>} (a tier name), as in
 * {@code tiers.<name>.requests_per_minute} with the variable {@code KEYWARDEN_TIERS_<NAME>_REQUESTS_PER_MINUTE};
 * {@link #named(String)} makes the setting of one tier.
 *
 * @param path         YAML path, dot-separated
 * @param env          environment variable
 * @param defaultValue the value used when the setting is not given; {@code null} when there is none
 * @param shownDefault the default as the reference prints it (computed defaults, per-tier defaults)
 * @param meaning      one line for the reference
 * @param secret       the value is never quoted in a message and is not printed by the reference
 * @param list         a YAML list is accepted (joined with commas); otherwise a list is refused
 */
public record Setting(String path, String env, String defaultValue, String shownDefault, String meaning, boolean secret,
                      boolean list) {

    /** The placeholder for a tier name in a pattern's path. */
    static final String NAME = "<name>";
    /** What a tier name may look like (lower case; up to 40 characters). */
    static final Pattern TIER_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,39}");

    public Setting {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(env, "env");
        Objects.requireNonNull(meaning, "meaning");
        if (shownDefault == null) {
            shownDefault = defaultValue == null ? "" : defaultValue;
        }
    }

    /** A setting with its YAML path, environment variable, default ({@code null}: none) and meaning. */
    static Setting of(String path, String env, String defaultValue, String meaning) {
        return new Setting(path, env, defaultValue, null, meaning, false, false);
    }

    /** This setting, holding a secret. */
    Setting asSecret() {
        return new Setting(path, env, defaultValue, shownDefault, meaning, true, list);
    }

    /** This setting, accepting a YAML list. */
    Setting asList() {
        return new Setting(path, env, defaultValue, shownDefault, meaning, secret, true);
    }

    /** This setting, with the default shown as {@code text} in the reference. */
    Setting shown(String text) {
        return new Setting(path, env, defaultValue, text, meaning, secret, list);
    }

    /** {@code path (ENV)}: how messages name the setting; the path alone for one tier's setting. */
    public String label() {
        return path.startsWith("tiers.") ? path : path + " (" + env + ")";
    }

    /** Whether the path holds {@code <name>}. */
    public boolean pattern() {
        return path.contains(NAME);
    }

    /** The last segment of a pattern's path ({@code requests_per_minute}). */
    String field() {
        return path.substring(path.lastIndexOf('.') + 1);
    }

    /** This pattern's setting for the tier {@code name}. */
    Setting named(String name) {
        return new Setting(path.replace(NAME, name), env.replace("<NAME>", name.toUpperCase(Locale.ROOT)), defaultValue,
                shownDefault, meaning, secret, list);
    }
}
