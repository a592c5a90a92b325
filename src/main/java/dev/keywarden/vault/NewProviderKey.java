package dev.keywarden.vault;

import dev.keywarden.store.KeyEnvironment;
import dev.keywarden.store.KeyScope;
import java.util.Objects;

/**
 * What to store about a provider key being added (everything but the key itself, which travels
 * separately as bytes so it can never end up in this record's {@code toString}).
 *
 * @param priority     lower is preferred: 0 for the primary, higher numbers for backups
 * @param rotationDays the rotation policy; null for the environment's default
 * @param source       where the key came from, e.g. {@code env:ANTHROPIC_API_KEY} (a label, never the value)
 */
public record NewProviderKey(String label, KeyEnvironment environment, KeyScope scope, int priority,
                             Integer rotationDays, String source) {

    public NewProviderKey {
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(environment, "environment");
        Objects.requireNonNull(scope, "scope");
        Objects.requireNonNull(source, "source");
        if (label.isBlank()) {
            throw new IllegalArgumentException("a provider key needs a label (e.g. 'primary' or 'backup')");
        }
        if (rotationDays != null && rotationDays <= 0) {
            throw new IllegalArgumentException("rotation policy must be at least 1 day but was " + rotationDays);
        }
    }
}
