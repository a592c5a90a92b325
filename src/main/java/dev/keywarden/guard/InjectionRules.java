package dev.keywarden.guard;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The prompt-injection rules, loaded from a versioned YAML file ({@code guard/injection-rules.yaml}
 * on the class path): weighted patterns per category plus weights of obfuscation signals. Patterns may
 * use named fragments ({@code {{name}}}, from {@code definitions:}). Every pattern must have a bounded
 * match length ({@link MatchLength}), which keeps scoring linear; loading fails otherwise. Immutable.
 */
public record InjectionRules(int version, List<Rule> rules, Map<String, Double> signals, List<String> squashedPhrases,
                             double squashedWeight) {

    private static final String BUILT_IN = "/guard/injection-rules.yaml";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);
    /** Unicode-aware {@code \\b}, {@code \\w}, {@code \\s}: since JDK 19 {@code \\b} follows {@code \\w}, ASCII-only by default. */
    static final int FLAGS = Pattern.UNICODE_CASE | Pattern.UNICODE_CHARACTER_CLASS;
    private static final Pattern REFERENCE = Pattern.compile("\\{\\{([a-z_]+)}}");
    private static final InjectionRules SHIPPED = load();

    /**
     * One weighted pattern, matched against normalised lower-case text. {@code literals}: strings one
     * of which every match contains ({@link RequiredLiterals}); the pattern runs only on text holding
     * one of them. Empty when they cannot be derived (the pattern then always runs).
     */
    public record Rule(String id, String category, double weight, Pattern pattern, List<String> literals) {

        /** Whether the pattern may match {@code text}: false only when none of the literals occurs in it. */
        boolean mayMatch(String text) {
            if (literals.isEmpty()) {
                return true;
            }
            for (String literal : literals) {
                if (text.contains(literal)) {
                    return true;
                }
            }
            return false;
        }

        boolean find(String text) {
            return mayMatch(text) && pattern.matcher(text).find();
        }
    }

    /** The shipped rules. */
    public static InjectionRules builtIn() {
        return SHIPPED;
    }

    double signal(String name) {
        return signals.getOrDefault(name, 0.0);
    }

    @JsonIgnoreProperties(ignoreUnknown = false)
    record FileSpec(Integer version, Map<String, Double> signals, Map<String, String> definitions, List<RuleSpec> rules,
                    @com.fasterxml.jackson.annotation.JsonProperty("squashed_phrases") List<String> squashedPhrases,
                    @com.fasterxml.jackson.annotation.JsonProperty("squashed_weight") Double squashedWeight) {
    }

    record RuleSpec(String id, String category, Double weight, String pattern) {
    }

    /** {@code pattern} with each {@code {{name}}} replaced by the group {@code (definition)}, definitions using definitions. */
    static String expand(String rule, String pattern, Map<String, String> definitions) {
        String expanded = pattern;
        for (int depth = 0; REFERENCE.matcher(expanded).find(); depth++) {
            if (depth == 8) {
                throw new IllegalStateException(BUILT_IN + ": rule " + rule + ": definitions nest deeper than 8 levels (a cycle?)");
            }
            expanded = expandOnce(rule, expanded, definitions);
        }
        return expanded;
    }

    private static String expandOnce(String rule, String pattern, Map<String, String> definitions) {
        java.util.regex.Matcher m = REFERENCE.matcher(pattern);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String definition = definitions.get(m.group(1));
            if (definition == null) {
                throw new IllegalStateException(BUILT_IN + ": rule " + rule + " uses {{" + m.group(1) + "}}, which is not defined");
            }
            m.appendReplacement(sb, java.util.regex.Matcher.quoteReplacement("(" + definition + ")"));
        }
        return m.appendTail(sb).toString();
    }

    private static InjectionRules load() {
        try (InputStream in = InjectionRules.class.getResourceAsStream(BUILT_IN)) {
            if (in == null) {
                throw new IllegalStateException("built-in injection rules " + BUILT_IN + " missing from the class path");
            }
            FileSpec spec = YAML.readValue(in, FileSpec.class);
            if (spec.version() == null || spec.rules() == null || spec.rules().isEmpty()) {
                throw new IllegalStateException(BUILT_IN + ": needs a version and rules");
            }
            List<Rule> rules = new ArrayList<>();
            Map<String, String> definitions = spec.definitions() == null ? Map.of() : spec.definitions();
            for (RuleSpec r : spec.rules()) {
                if (r.id() == null || r.pattern() == null || r.weight() == null) {
                    throw new IllegalStateException(BUILT_IN + ": every rule needs id, weight and pattern");
                }
                String pattern = expand(r.id(), r.pattern(), definitions);
                if (MatchLength.of(pattern) == MatchLength.UNBOUNDED) {
                    throw new IllegalStateException(BUILT_IN + ": rule " + r.id() + " can match text of any length;"
                            + " bound every repetition (e.g. {0,40} instead of * or +) so that scoring stays linear");
                }
                try {
                    rules.add(new Rule(r.id(), r.category(), r.weight(), Pattern.compile(pattern, FLAGS),
                            RequiredLiterals.of(pattern).orElse(List.of())));
                } catch (PatternSyntaxException e) {
                    throw new IllegalStateException(BUILT_IN + ": rule " + r.id() + " has an invalid pattern: " + e.getDescription());
                }
            }
            return new InjectionRules(spec.version(), List.copyOf(rules), spec.signals() == null ? Map.of() : Map.copyOf(spec.signals()),
                    spec.squashedPhrases() == null ? List.of() : List.copyOf(spec.squashedPhrases()),
                    spec.squashedWeight() == null ? 0 : spec.squashedWeight());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the built-in injection rules", e);
        }
    }
}
