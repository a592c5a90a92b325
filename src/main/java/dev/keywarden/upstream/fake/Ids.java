package dev.keywarden.upstream.fake;

import java.security.SecureRandom;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Identifiers shaped like the real API's ({@code req_011C…}, {@code msg_01…}, {@code msgbatch_01…}).
 * They only need to be unique, not secret, so a fast non-cryptographic source is used; the
 * generated API key for the CLI uses {@link SecureRandom}.
 */
final class Ids {

    private static final char[] BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
    private static final SecureRandom SECURE = new SecureRandom();

    private Ids() {
    }

    static String requestId() {
        return random("req_011C", 20);
    }

    static String messageId() {
        return random("msg_01", 22);
    }

    static String batchId() {
        return random("msgbatch_01", 22);
    }

    /** An obviously fake key, {@code sk-ant-fake-} + 32 base62 characters, from a secure source. */
    static String fakeApiKey() {
        char[] out = new char[32];
        for (int i = 0; i < out.length; i++) {
            out[i] = BASE62[SECURE.nextInt(BASE62.length)];
        }
        return "sk-ant-fake-" + new String(out);
    }

    private static String random(String prefix, int length) {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        char[] out = new char[prefix.length() + length];
        prefix.getChars(0, prefix.length(), out, 0);
        for (int i = prefix.length(); i < out.length; i++) {
            out[i] = BASE62[rnd.nextInt(BASE62.length)];
        }
        return new String(out);
    }
}
