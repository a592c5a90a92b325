package dev.keywarden.testing;

import java.security.SecureRandom;

/**
 * Provider keys for tests, generated at run time so that nothing shaped like a real key is ever
 * committed. {@link #canaryProviderKey()} has the full real shape on purpose: tests plant it and
 * then prove it appears in no response and no log line.
 */
public final class TestKeys {

    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";
    private static final SecureRandom RANDOM = new SecureRandom();

    private TestKeys() {
    }

    /** {@code sk-ant-api03-} + 93 random characters + {@code AA}: exactly the shape of a real API key. */
    public static String canaryProviderKey() {
        return "sk-ant-" + "api03-" + random(93) + "AA";
    }

    /** An obviously fake provider key of a valid shape for configuration. */
    public static String fakeProviderKey() {
        return "sk-ant-fake-" + random(40).replace('-', 'x').replace('_', 'y');
    }

    public static String random(int n) {
        StringBuilder sb = new StringBuilder(n);
        for (int i = 0; i < n; i++) {
            sb.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return sb.toString();
    }
}
