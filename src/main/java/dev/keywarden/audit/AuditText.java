package dev.keywarden.audit;

import dev.keywarden.log.Redactor;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Makes text safe to keep in a hash-chained record, which can never be scrubbed afterwards: anything
 * shaped like a credential ({@link Redactor}: Anthropic keys, {@code kw_} keys and tokens, header values
 * of {@code Authorization}, {@code x-api-key}, {@code Cookie}) is masked, also when it arrives
 * percent-encoded (a path). A virtual key's display prefix ({@code kw_} + 8 characters, shown in
 * listings by design) is kept, so records still say which key was used.
 *
 * <p>Guarantee: a value that held a credential keeps at most its recognisable prefix and last 4
 * characters. Applied by {@link AuditEntry} to every string in every record, whoever supplied it.
 */
final class AuditText {

    /** A virtual key's display prefix standing alone (not the start of a longer credential). */
    private static final Pattern DISPLAY_PREFIX = Pattern.compile("(?<![A-Za-z0-9_])kw_[A-Za-z0-9]{8}(?![A-Za-z0-9_])");
    /**
     * A Keywarden credential in host form (an origin's host is lower case and has {@code -} for {@code _}): no longer
     * usable, but still most of a key's characters, so masked like the key itself.
     */
    private static final Pattern HOST_FORM = Pattern.compile("(?<![a-z0-9-])kw-(tmp-|ses-|csrf-)?[a-z0-9]{16,}[a-z0-9-]*");

    private AuditText() {
    }

    /**
     * {@code value} with every string in it (map values and list elements too) made safe; other values as they
     * are. Map keys are field names chosen by code and are kept.
     */
    static Object clean(Object value) {
        return switch (value) {
            case String s -> clean(s);
            case Map<?, ?> m -> {
                Map<String, Object> out = new TreeMap<>();
                m.forEach((k, v) -> {
                    if (v != null) {
                        out.put(String.valueOf(k), clean(v));
                    }
                });
                yield out;
            }
            case Collection<?> c -> {
                List<Object> out = new ArrayList<>(c.size());
                c.forEach(v -> out.add(v == null ? null : clean(v)));
                yield out;
            }
            case null, default -> value;
        };
    }

    /** {@code text} with credentials masked (the same instance when there is nothing to mask). */
    static String clean(String text) {
        return mayHoldCredential(text) ? masked(text) : text;
    }

    /** {@link #clean} without the pre-check: every credential shape masked, display prefixes kept. */
    static String masked(String text) {
        if (text.contains("kw-")) {
            text = HOST_FORM.matcher(text).replaceAll(m -> Matcher.quoteReplacement(hostFormMasked(m.group())));
        }
        if (text.indexOf('%') >= 0) {
            String decoded = percentDecoded(text);
            if (!decoded.equals(text)) {
                String redacted = keepingDisplayPrefixes(decoded);
                if (!redacted.equals(decoded)) {
                    return redacted;
                }
            }
        }
        return keepingDisplayPrefixes(text);
    }

    /**
     * A cheap test that lets most values (ids, names, numbers as text, plain paths) skip the redactor's
     * regular expressions: true whenever {@link #masked} could change {@code text}.
     */
    static boolean mayHoldCredential(String text) {
        if (text.indexOf('%') >= 0 || text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0
                || text.contains("kwadm_") || text.contains("eyJ") || text.contains("kw-")) {
            return true; // admin tokens and JWTs: rare enough in audit fields to leave to the redactor
        }
        for (int at = text.indexOf("sk-ant-"); at >= 0; at = text.indexOf("sk-ant-", at + 1)) {
            // the redactor's shortest Anthropic match is sk-ant- and 11 more key characters; a fingerprint (sk-ant-api03-…WXYZ) has fewer
            int end = at + 7;
            while (end < text.length() && isKeyChar(text.charAt(end))) {
                end++;
            }
            if (end - at - 7 >= 11) {
                return true;
            }
        }
        for (int at = text.indexOf("kw_"); at >= 0; at = text.indexOf("kw_", at + 1)) {
            // the redactor matches kw_ only at a word start; req_kw_… ids and a lone display prefix are not credentials
            boolean wordStart = at == 0 || !isWordChar(text.charAt(at - 1));
            if (wordStart && !isDisplayPrefixAt(text, at)) {
                return true;
            }
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == ':' || c == '=') {
                // a header the redactor masks: its name, optional white space, then ':' or '='
                int nameEnd = i;
                while (nameEnd > 0 && Character.isWhitespace(text.charAt(nameEnd - 1))) {
                    nameEnd--;
                }
                if (endsWithIgnoreCase(text, nameEnd, "authorization") || endsWithIgnoreCase(text, nameEnd, "x-api-key")
                        || endsWithIgnoreCase(text, nameEnd, "cookie")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static String hostFormMasked(String credential) {
        return "kw-[redacted]" + credential.substring(credential.length() - 4);
    }

    private static boolean isKeyChar(char c) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-';
    }

    private static boolean endsWithIgnoreCase(String text, int end, String word) {
        return end >= word.length() && text.regionMatches(true, end - word.length(), word, 0, word.length());
    }

    private static boolean isDisplayPrefixAt(String text, int at) {
        int end = at + 11;
        if (end > text.length() || (end < text.length() && isWordChar(text.charAt(end)))) {
            return false;
        }
        for (int i = at + 3; i < end; i++) {
            char c = text.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9')) {
                return false;
            }
        }
        return true;
    }

    private static boolean isWordChar(char c) {
        return c == '_' || Character.isLetterOrDigit(c);
    }

    private static String keepingDisplayPrefixes(String text) {
        if (!text.contains("kw_")) {
            return Redactor.redact(text);
        }
        Matcher m = DISPLAY_PREFIX.matcher(text);
        StringBuilder out = new StringBuilder(text.length());
        int at = 0;
        while (m.find()) {
            out.append(Redactor.redact(text.substring(at, m.start()))).append(m.group());
            at = m.end();
        }
        return out.append(Redactor.redact(text.substring(at))).toString();
    }

    /** Percent-decoding as a URL path is decoded ({@code +} stays {@code +}); undecodable text is returned as is. */
    private static String percentDecoded(String text) {
        try {
            return URLDecoder.decode(text.replace("+", "%2B"), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException malformed) {
            return text;
        }
    }
}
