package dev.keywarden.pipeline;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Makes gateway request ids ({@code req_kw_} + 22 base62 characters). Ids correlate logs and
 * audit records; they are not secrets, so a fast non-cryptographic source is enough.
 */
public final class RequestIds {

    private static final char[] ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();

    private RequestIds() {
    }

    public static String next() {
        ThreadLocalRandom r = ThreadLocalRandom.current();
        char[] out = new char[7 + 22];
        "req_kw_".getChars(0, 7, out, 0);
        for (int i = 7; i < out.length; i++) {
            out[i] = ALPHABET[r.nextInt(62)];
        }
        return new String(out);
    }
}
