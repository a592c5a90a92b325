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

    private AuditText() {
    }

    /** {@code value} with every string in it (map values and list elements too) made safe; other values as they are. */
    static Object clean(Object value) {
        return switch (value) {
            case String s -> clean(s);
            case Map<?, ?> m -> {
                Map<String, Object> out = new TreeMap<>();
                m.forEach((k, v) -> {
                    if (v != null) {
                        out.put(clean(String.valueOf(k)), clean(v));
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

    /** {@code text} with credentials masked. */
    static String clean(String text) {
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
