package dev.keywarden.scan;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * One detected secret, safe to print: it never holds the secret itself, only {@link #masked} (the
 * rule's public prefix such as {@code sk-ant-api03-} and the last 4 characters) and a SHA-256 of
 * it inside the {@link #fingerprint}. {@code commit} is null for files on disk and the index.
 *
 * @param fingerprint {@code ruleId:path:sha256(secret)}, the identity a baseline accepts
 */
public record Finding(String ruleId, String description, String path, int line, int column,
                      String commit, String masked, String fingerprint) {

    private static final String ELLIPSIS = "...";
    /** Below this many characters after the public prefix, not even the last 4 are shown. */
    static final int MIN_HIDDEN_FOR_SUFFIX = 12;

    /** A finding for {@code secret}; the secret itself is not kept. */
    static Finding of(Rule rule, String secret, String path, int line, int column, String commit) {
        return new Finding(rule.id(), rule.description(), path, line, column, commit,
                mask(rule.publicPrefix(secret), secret), fingerprint(rule.id(), path, secret));
    }

    /**
     * {@code secret} masked: {@code publicPrefix + "..." + last 4}, or {@code publicPrefix + "..."} when
     * fewer than {@value #MIN_HIDDEN_FOR_SUFFIX} characters follow the prefix.
     */
    static String mask(String publicPrefix, String secret) {
        int rest = secret.length() - publicPrefix.length();
        if (rest >= MIN_HIDDEN_FOR_SUFFIX) {
            return publicPrefix + ELLIPSIS + secret.substring(secret.length() - 4);
        }
        return publicPrefix + ELLIPSIS;
    }

    /** {@code ruleId:path:hex(sha256(secret))}. */
    public static String fingerprint(String ruleId, String path, String secret) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.ISO_8859_1));
            return ruleId + ":" + path + ":" + HexFormat.of().formatHex(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 unavailable", e);
        }
    }

    /** {@code path:line}, or {@code commit:path:line} for a finding in history. */
    public String location() {
        return (commit == null ? "" : shortCommit() + ":") + path + ":" + line;
    }

    /** The first 12 characters of the commit, or null. */
    public String shortCommit() {
        return commit == null ? null : commit.substring(0, Math.min(12, commit.length()));
    }
}
