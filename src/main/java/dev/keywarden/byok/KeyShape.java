package dev.keywarden.byok;

import java.util.regex.Pattern;

/**
 * The format check of a key a user brings, before anything is sent upstream: an Anthropic API key
 * ({@code sk-ant-…}, URL-safe base64 characters, 40 to 256 long). Messages never quote the key.
 */
final class KeyShape {

    private static final Pattern SHAPE = Pattern.compile("sk-ant-[A-Za-z0-9_-]{33,249}");

    private KeyShape() {
    }

    /** Why {@code key} is not an Anthropic API key, or null when it has the shape of one. */
    static String problem(String key) {
        if (key == null || key.isEmpty()) {
            return "send your Anthropic API key in \"key\"";
        }
        if (!key.equals(key.strip())) {
            return "the key has spaces or line breaks around it; paste it without them";
        }
        if (!key.startsWith("sk-ant-")) {
            return "this is not an Anthropic API key: those start with sk-ant- (create one in the Anthropic Console)";
        }
        if (!SHAPE.matcher(key).matches()) {
            return "this is not a well-formed Anthropic API key (sk-ant- followed by letters, digits, '-' and '_'); copy it again";
        }
        return null;
    }
}
