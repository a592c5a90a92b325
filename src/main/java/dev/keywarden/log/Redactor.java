package dev.keywarden.log;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes credentials from text before it reaches a log line or an error message: Anthropic
 * key shapes ({@code sk-ant-…}), Keywarden credentials ({@code kw_…}, admin tokens {@code kwadm_…}), JWTs
 * (identity-provider tokens), the values of
 * {@code Authorization}, {@code x-api-key} and {@code Cookie} headers, and the values of JSON fields named
 * {@code password}, {@code passphrase} or {@code client_secret} (a request body a debug log dumps). CR and LF are escaped
 * so a logged field cannot forge a log line; {@link #forLog} also escapes every other control character.
 *
 * <p>Guarantee: the output never contains a substring of 8 or more characters of a matched
 * secret; only a short recognisable prefix and the last 4 characters are kept.
 */
public final class Redactor {

    private static final Pattern ANTHROPIC = Pattern.compile("sk-ant-[A-Za-z0-9]{2,12}-[A-Za-z0-9_\\-]{8,}|sk-ant-[A-Za-z0-9_\\-]{12,}");
    private static final Pattern KEYWARDEN = Pattern.compile("\\bkw_(tmp_|ses_|csrf_)?[A-Za-z0-9]{8,}[A-Za-z0-9_]*");
    /** A JWS in compact form (an identity provider's access or ID token): header.payload.signature, base64url. */
    private static final Pattern JWT = Pattern.compile("\\beyJ[A-Za-z0-9_-]{6,}\\.[A-Za-z0-9_-]{6,}\\.[A-Za-z0-9_-]*");
    private static final Pattern ADMIN_TOKEN = Pattern.compile("\\bkwadm_[A-Za-z0-9_\\-]{12,}");
    private static final Pattern HEADER = Pattern.compile("(?i)\\b(authorization|x-api-key|cookie|set-cookie|proxy-authorization)(\\s*[:=]\\s*)([^\\r\\n,;]+)");

    /** A JSON string field holding a secret a person typed; the closing quote may be cut off in a dumped buffer. */
    private static final Pattern SECRET_FIELD = Pattern.compile(
            "(?i)(\"(?:password|passphrase|client_secret)\"\\s*:\\s*\")(?:[^\"\\\\\\r\\n]|\\\\.)*\"?");

    private Redactor() {
    }

    public static String redact(String text) {
        if (text == null) {
            return null;
        }
        String out = text;
        if (out.indexOf(':') >= 0 || out.indexOf('=') >= 0) {
            out = HEADER.matcher(out).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + m.group(2) + "[redacted]"));
        }
        if (out.indexOf('"') >= 0 && (out.contains("ass") || out.contains("ASS") || out.contains("ecret") || out.contains("ECRET"))) {
            out = SECRET_FIELD.matcher(out).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + "[redacted]\""));
        }
        if (out.contains("sk-ant-")) {
            out = ANTHROPIC.matcher(out).replaceAll(m -> Matcher.quoteReplacement(mask(m.group(), "sk-ant-")));
        }
        if (out.contains("kw_")) {
            out = KEYWARDEN.matcher(out).replaceAll(m -> Matcher.quoteReplacement(mask(m.group(), m.group().startsWith("kw_tmp_") ? "kw_tmp_" : m.group().startsWith("kw_ses_") ? "kw_ses_" : m.group().startsWith("kw_csrf_") ? "kw_csrf_" : "kw_")));
        }
        if (out.contains("eyJ")) {
            out = JWT.matcher(out).replaceAll("[redacted JWT]");
        }
        if (out.contains("kwadm_")) {
            out = ADMIN_TOKEN.matcher(out).replaceAll(m -> Matcher.quoteReplacement(mask(m.group(), "kwadm_")));
        }
        if (out.indexOf('\n') >= 0 || out.indexOf('\r') >= 0) {
            out = out.replace("\r", "\\r").replace("\n", "\\n");
        }
        return out;
    }

    /**
     * {@link #redact} for a log line: also escapes every other control character (see
     * {@link #escapeControls}), so a logged value cannot move a terminal's cursor or hide text.
     */
    public static String forLog(String text) {
        return text == null ? null : escapeControls(redact(text));
    }

    /**
     * Escapes CR and LF as {@code \r} / {@code \n} and every other control character (C0 except
     * tab, DEL, C1, and the Unicode line and paragraph separators) as {@code \}{@code uXXXX}, so the
     * text stays on one line and cannot move a terminal's cursor.
     */
    static String escapeControls(String text) {
        int i = 0;
        int n = text.length();
        while (i < n && !isControl(text.charAt(i))) {
            i++;
        }
        if (i == n) {
            return text;
        }
        StringBuilder sb = new StringBuilder(n + 16).append(text, 0, i);
        for (; i < n; i++) {
            char c = text.charAt(i);
            if (!isControl(c)) {
                sb.append(c);
            } else if (c == '\r') {
                sb.append("\\r");
            } else if (c == '\n') {
                sb.append("\\n");
            } else {
                sb.append(String.format("\\u%04x", (int) c));
            }
        }
        return sb.toString();
    }

    private static boolean isControl(char c) {
        return (c < 0x20 && c != '\t') || (c >= 0x7f && c <= 0x9f) || c == '\u2028' || c == '\u2029';
    }

    private static String mask(String secret, String prefix) {
        String last4 = secret.length() > prefix.length() + 8 ? secret.substring(secret.length() - 4) : "";
        return prefix + "[redacted]" + last4;
    }
}
