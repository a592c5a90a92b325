package dev.keywarden.scan;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The rules a scan applies and the allow-list shared by all of them, loaded from a YAML (or JSON)
 * rules file. {@link #builtIn()} is the shipped {@code rules.yaml}; {@link #withOverrides} adds a
 * user's rules, replacing built-in rules of the same id. Immutable.
 */
public final class RuleSet {

    private static final String BUILT_IN = "/dev/keywarden/scan/rules.yaml";
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    private final List<Rule> rules;
    private final Allowlist allowlist;

    private RuleSet(List<Rule> rules, Allowlist allowlist) {
        this.rules = List.copyOf(rules);
        this.allowlist = allowlist;
    }

    public List<Rule> rules() {
        return rules;
    }

    /** Exceptions applying to every rule. */
    public Allowlist allowlist() {
        return allowlist;
    }

    /** The rule with this id, or null. */
    public Rule rule(String id) {
        return rules.stream().filter(r -> r.id().equals(id)).findFirst().orElse(null);
    }

    /** The rules shipped with Keywarden. */
    public static RuleSet builtIn() {
        try (InputStream in = RuleSet.class.getResourceAsStream(BUILT_IN)) {
            if (in == null) {
                throw new IllegalStateException("built-in rules " + BUILT_IN + " missing from the class path");
            }
            return fromSpec(YAML.readValue(in, FileSpec.class), "built-in rules", null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the built-in rules", e);
        }
    }

    /**
     * These rules plus those in {@code file}: a rule with a new id is added, one with an existing id
     * replaces it, one with {@code disabled: true} removes it; the file's allow-list is added to the
     * shared one.
     *
     * @throws InvalidRulesException naming the file and the rule when the file cannot be used
     */
    public RuleSet withOverrides(Path file) {
        FileSpec spec;
        try {
            spec = YAML.readValue(Files.readAllBytes(file), FileSpec.class);
        } catch (IOException e) {
            throw new InvalidRulesException("cannot read rules file " + file + ": " + firstLine(e.getMessage())
                    + " (expected YAML or JSON with 'rules:' entries of id, regex, keywords)");
        }
        return fromSpec(spec, "rules file " + file, this);
    }

    private static RuleSet fromSpec(FileSpec spec, String origin, RuleSet base) {
        Map<String, Rule> byId = new LinkedHashMap<>();
        if (base != null) {
            base.rules.forEach(r -> byId.put(r.id(), r));
        }
        if (spec != null && spec.rules != null) {
            for (RuleSpec rs : spec.rules) {
                if (rs.id == null || rs.id.isBlank()) {
                    throw new InvalidRulesException(origin + ": a rule has no id");
                }
                if (rs.disabled) {
                    byId.remove(rs.id);
                    continue;
                }
                byId.put(rs.id, compile(rs, origin));
            }
        }
        Allowlist shared = spec == null ? Allowlist.NONE : compile(spec.allowlist, origin + ", shared allowlist");
        return new RuleSet(new ArrayList<>(byId.values()), base == null ? shared : base.allowlist.and(shared));
    }

    private static Rule compile(RuleSpec rs, String origin) {
        String where = origin + ", rule " + rs.id;
        if (rs.regex == null || rs.regex.isEmpty()) {
            throw new InvalidRulesException(where + ": 'regex' is missing");
        }
        if (rs.keywords == null || rs.keywords.isEmpty()) {
            throw new InvalidRulesException(where + ": 'keywords' is empty; give at least one literal the secret's text contains (it is the fast pre-filter)");
        }
        Pattern regex = pattern(rs.regex, where + ", regex");
        int groups = regex.matcher("").groupCount();
        int group = rs.secretGroup != null ? rs.secretGroup : (groups > 0 ? 1 : 0);
        try {
            return new Rule(rs.id, rs.description == null ? rs.id : rs.description, regex, group, rs.keywords,
                    rs.entropy == null ? 0 : rs.entropy, Validator.named(rs.validate), compile(rs.allowlist, where + ", allowlist"), rs.multiline);
        } catch (IllegalArgumentException e) {
            throw new InvalidRulesException(where + ": " + e.getMessage());
        }
    }

    private static Allowlist compile(AllowSpec a, String where) {
        if (a == null) {
            return Allowlist.NONE;
        }
        return new Allowlist(
                a.paths == null ? List.of() : a.paths.stream().map(p -> pattern(p, where + ", paths")).toList(),
                a.regexes == null ? List.of() : a.regexes.stream().map(p -> pattern(p, where + ", regexes")).toList(),
                a.stopwords == null ? List.of() : a.stopwords);
    }

    private static Pattern pattern(String regex, String where) {
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new InvalidRulesException(where + ": invalid regex: " + firstLine(e.getDescription()) + " at index " + e.getIndex());
        }
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    @JsonIgnoreProperties(ignoreUnknown = false)
    static final class FileSpec {
        @JsonProperty Integer version;
        @JsonProperty AllowSpec allowlist;
        @JsonProperty List<RuleSpec> rules;
    }

    static final class RuleSpec {
        @JsonProperty String id;
        @JsonProperty String description;
        @JsonProperty String regex;
        @JsonProperty Integer secretGroup;
        @JsonProperty List<String> keywords;
        @JsonProperty Double entropy;
        @JsonProperty String validate;
        @JsonProperty AllowSpec allowlist;
        @JsonProperty boolean disabled;
        @JsonProperty boolean multiline;
    }

    static final class AllowSpec {
        @JsonProperty List<String> paths;
        @JsonProperty List<String> regexes;
        @JsonProperty List<String> stopwords;
    }

    /** A rules file that cannot be used; the message names the file, the rule and the fix. */
    public static final class InvalidRulesException extends RuntimeException {
        public InvalidRulesException(String message) {
            super(message, null, false, false);
        }
    }
}
