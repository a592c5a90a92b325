package dev.keywarden.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one place section parsers read setting values from: command-line flags (by YAML path), then the
 * environment (with a development {@code .env} merged under it), then the config file (by YAML path),
 * then the setting's default. A blank value counts as not given, wherever it comes from.
 *
 * <p>Guarantee: {@link #read} turns a parser's {@link IllegalArgumentException} into a one-line
 * {@link ConfigException} {@code path (ENV): 'value' why}, never quoting a secret setting's value.
 * The static parsers below are the value syntaxes every section shares.
 */
final class Values {

    /** Where a value came from. */
    enum Origin { FLAG, ENVIRONMENT, FILE, DEFAULT }

    private static final Pattern DURATION = Pattern.compile("(\\d+)\\s*(ms|s|m|h|d)?");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|kb|kib|mb|mib|gb|gib)?");

    private final Map<String, String> flags;
    private final Map<String, String> env;
    private final Map<String, String> file;

    /**
     * @param flags by YAML path
     * @param env   by variable name
     * @param file  by YAML path (the flattened config file)
     */
    Values(Map<String, String> flags, Map<String, String> env, Map<String, String> file) {
        this.flags = Map.copyOf(flags);
        this.env = Map.copyOf(env);
        this.file = Map.copyOf(file);
    }

    /**
     * Values from one flat map, keyed by environment variable or by YAML path (a variable wins over its
     * path), for building one section outside the loader (tests, tools).
     */
    static Values ofMap(Map<String, String> raw) {
        Map<String, String> env = new HashMap<>();
        Map<String, String> paths = new HashMap<>();
        raw.forEach((k, v) -> {
            if (v != null) {
                (k.equals(k.toUpperCase(Locale.ROOT)) && !k.contains(".") ? env : paths).put(k, v);
            }
        });
        return new Values(Map.of(), env, paths);
    }

    /** These values with {@code extra} variables under the environment's own (a variable already set wins). */
    Values withEnvironmentDefaults(Map<String, String> extra) {
        Map<String, String> merged = new HashMap<>(extra);
        merged.putAll(env);
        return new Values(flags, merged, file);
    }

    Map<String, String> environment() {
        return env;
    }

    /** The value the operator gave, or null. */
    String given(Setting s) {
        String v = nonBlank(flags.get(s.path()));
        if (v == null) {
            v = nonBlank(env.get(s.env()));
        }
        return v != null ? v : nonBlank(file.get(s.path()));
    }

    Origin origin(Setting s) {
        if (nonBlank(flags.get(s.path())) != null) {
            return Origin.FLAG;
        }
        if (nonBlank(env.get(s.env())) != null) {
            return Origin.ENVIRONMENT;
        }
        return nonBlank(file.get(s.path())) != null ? Origin.FILE : Origin.DEFAULT;
    }

    boolean isGiven(Setting s) {
        return origin(s) != Origin.DEFAULT;
    }

    /** The value given, else the default (null when there is none). */
    String get(Setting s) {
        String v = given(s);
        return v != null ? v : s.defaultValue();
    }

    /** The value parsed by {@code parser}; its {@link IllegalArgumentException} becomes one line naming the setting. */
    <T> T read(Setting s, Function<String, T> parser) {
        String raw = get(s);
        try {
            return parser.apply(raw);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(s.label() + ":" + (s.secret() ? "" : " '" + raw + "'") + " " + e.getMessage());
        }
    }

    /** The value parsed, or empty when the setting is neither given nor defaulted. */
    <T> Optional<T> optional(Setting s, Function<String, T> parser) {
        return get(s) == null ? Optional.empty() : Optional.of(read(s, parser));
    }

    /** The value, stripped, or empty. */
    Optional<String> text(Setting s) {
        return optional(s, String::strip);
    }

    /** The value as a {@link Secret}, or empty. */
    Optional<Secret> secret(Setting s) {
        return Optional.ofNullable(get(s)).map(Secret::of);
    }

    /** The tier names for which the pattern {@code s} ({@code tiers.<name>.x}) is given, lower case, sorted. */
    Set<String> names(Setting s) {
        Set<String> names = new TreeSet<>();
        Pattern byPath = Pattern.compile(Pattern.quote(s.path().substring(0, s.path().indexOf(Setting.NAME)))
                + "([^.]+)" + Pattern.quote(s.path().substring(s.path().indexOf(Setting.NAME) + Setting.NAME.length())));
        Pattern byEnv = Pattern.compile(Pattern.quote(s.env().substring(0, s.env().indexOf("<NAME>")))
                + "(.+)" + Pattern.quote(s.env().substring(s.env().indexOf("<NAME>") + "<NAME>".length())));
        for (Map<String, String> source : java.util.List.of(flags, file)) {
            source.forEach((k, v) -> collect(byPath.matcher(k), v, names));
        }
        env.forEach((k, v) -> collect(byEnv.matcher(k), v, names));
        return names;
    }

    private static void collect(Matcher m, String value, Set<String> names) {
        if (m.matches() && nonBlank(value) != null) {
            names.add(m.group(1).toLowerCase(Locale.ROOT));
        }
    }

    private static String nonBlank(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    /** A one-line configuration error about {@code s}. */
    static ConfigException error(Setting s, String message) {
        return new ConfigException(s.label() + ": " + message);
    }

    // ---- value syntaxes shared by every section ----

    /** {@code 500ms}, {@code 30s}, {@code 10m}, {@code 1h}, {@code 7d}; a bare number is seconds. */
    static Duration duration(String raw) {
        Matcher m = DURATION.matcher(raw.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("must be a duration such as 500ms, 30s, 10m, 1h or 7d");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2) == null ? "s" : m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
        };
    }

    static Duration positiveDuration(String raw) {
        Duration d = duration(raw);
        if (d.isZero()) {
            throw new IllegalArgumentException("must be greater than 0");
        }
        return d;
    }

    /** {@code 32MB}, {@code 16KiB}, {@code 1048576}; KB and KiB both mean 1024 bytes. */
    static long bytes(String raw) {
        Matcher m = SIZE.matcher(raw.strip().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("must be a size such as 16KB, 32MB or a number of bytes");
        }
        long n = Long.parseLong(m.group(1));
        return switch (m.group(2) == null ? "b" : m.group(2)) {
            case "b" -> n;
            case "kb", "kib" -> n * 1024;
            case "mb", "mib" -> n * 1024 * 1024;
            default -> n * 1024 * 1024 * 1024;
        };
    }

    static int positiveInt(String raw) {
        int n;
        try {
            n = Integer.parseInt(raw.strip());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("must be a whole number");
        }
        if (n <= 0) {
            throw new IllegalArgumentException("must be greater than 0");
        }
        return n;
    }

    /** A parser of whole numbers 0 or more ({@code _} separators allowed), {@code 0} meaning {@code zeroMeans}. */
    static Function<String, Long> wholeNumber(String zeroMeans) {
        return raw -> {
            long v;
            try {
                v = Long.parseLong(raw.strip().replace("_", ""));
            } catch (NumberFormatException e) {
                v = -1;
            }
            if (v < 0) {
                throw new IllegalArgumentException("must be a whole number, 0 for " + zeroMeans);
            }
            return v;
        };
    }

    /** {@code on|true|yes} or {@code off|false|no}, named "on or off" in messages. */
    static boolean onOff(String raw) {
        return bool(raw, "must be on or off");
    }

    /** The same words as {@link #onOff}, named "true or false" in messages. */
    static boolean trueFalse(String raw) {
        return bool(raw, "must be true or false");
    }

    private static boolean bool(String raw, String message) {
        return switch (raw.strip().toLowerCase(Locale.ROOT)) {
            case "on", "true", "yes" -> true;
            case "off", "false", "no" -> false;
            default -> throw new IllegalArgumentException(message);
        };
    }

    /** A parser of finite numbers above {@code exclusiveMin}, described as {@code what} in messages. */
    static Function<String, Double> numberAbove(double exclusiveMin, String what) {
        return raw -> {
            double d;
            try {
                d = Double.parseDouble(raw.strip());
            } catch (NumberFormatException e) {
                d = Double.NaN;
            }
            if (!Double.isFinite(d) || d <= exclusiveMin) {
                throw new IllegalArgumentException("must be " + what);
            }
            return d;
        };
    }

    /** An {@code http://} or {@code https://} URL with a host, such as {@code example}. */
    static URI httpUrl(String raw, String example) {
        String why = "must be an http(s) URL such as " + example;
        try {
            URI u = new URI(raw.strip());
            if (u.getScheme() == null || !(u.getScheme().equals("http") || u.getScheme().equals("https")) || u.getHost() == null) {
                throw new IllegalArgumentException(why);
            }
            return u;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(why);
        }
    }

    /** {@code raw}, stripped and lower case, when it is one of {@code choices}; else {@code why}. */
    static String oneOf(String raw, java.util.List<String> choices, String why) {
        String v = raw.strip().toLowerCase(Locale.ROOT);
        if (!choices.contains(v)) {
            throw new IllegalArgumentException(why);
        }
        return v;
    }
}
