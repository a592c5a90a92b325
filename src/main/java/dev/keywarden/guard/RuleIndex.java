package dev.keywarden.guard;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;

/**
 * Finds which {@link InjectionRules} match a text in time linear in its length: one Aho–Corasick pass
 * ({@link LiteralAutomaton}) finds every occurrence of every rule's required literals ({@link RequiredLiterals}) at once; a rule's
 * regex then runs only in windows around the occurrences of its rarest required element (in this text)
 * that have every other required element of the same alternative close enough, each window as wide as
 * the longest possible match ({@link MatchLength}) on either side.
 *
 * <p>Guarantee: {@link #matches} gives exactly what searching the whole text with each rule's regex
 * gives. A match contains one of the literals of each required element and is no longer than the
 * bound, so it lies inside the window of its anchor occurrence (look-arounds and {@code \b} see past a
 * window's edges); any match found in a window is a match in the text. A rule whose literals or bound
 * cannot be derived is searched whole (still linear: one search). Elements whose literals are shorter than
 * {@value #MIN_LITERAL} characters are not indexed unless an alternative has nothing else. Thread-safe.
 */
final class RuleIndex {

    /** Literals shorter than this ("no", "ai") are too common to narrow anything: their element is not indexed. */
    static final int MIN_LITERAL = 2;

    /**
     * How one top-level alternative of a rule is found: its own regex, searched in windows as wide as its
     * longest match around the occurrences of its indexed elements (literal ids per element).
     */
    private record Alternative(java.util.regex.Pattern pattern, int maxLength, int[][] elements) {
    }

    /** How one rule is found: whole-text search ({@code alternatives} null), or per alternative. */
    private record Plan(Alternative[] alternatives) {
        boolean wholeText() {
            return alternatives == null;
        }
    }

    private final List<InjectionRules.Rule> rules;
    private final Plan[] plans;
    private final LiteralAutomaton literals;
    private final int[] literalLength;

    /** Every indexed alternative, rules in order: its rule, and how many elements it has. */
    private final int[] alternativeRule;
    private final Alternative[] alternatives;
    /** For each literal id, the (global) elements it belongs to; for each element, its alternative. */
    private final int[][] literalElements;
    private final int[] elementAlternative;

    private RuleIndex(List<InjectionRules.Rule> rules, Plan[] plans, LiteralAutomaton literals, int[] literalLength) {
        this.rules = rules;
        this.plans = plans;
        this.literals = literals;
        this.literalLength = literalLength;
        List<Alternative> alts = new ArrayList<>();
        List<Integer> altRule = new ArrayList<>();
        List<Integer> elementAlt = new ArrayList<>();
        List<List<Integer>> byLiteral = new ArrayList<>();
        for (int i = 0; i < literalLength.length; i++) {
            byLiteral.add(new ArrayList<>());
        }
        for (int r = 0; r < plans.length; r++) {
            if (plans[r].wholeText()) {
                continue;
            }
            for (Alternative alt : plans[r].alternatives()) {
                for (int[] element : alt.elements()) {
                    for (int id : element) {
                        byLiteral.get(id).add(elementAlt.size());
                    }
                    elementAlt.add(alts.size());
                }
                alts.add(alt);
                altRule.add(r);
            }
        }
        this.alternatives = alts.toArray(new Alternative[0]);
        this.alternativeRule = altRule.stream().mapToInt(Integer::intValue).toArray();
        this.elementAlternative = elementAlt.stream().mapToInt(Integer::intValue).toArray();
        this.literalElements = byLiteral.stream().map(l -> l.stream().mapToInt(Integer::intValue).toArray()).toArray(int[][]::new);
    }

    static RuleIndex of(List<InjectionRules.Rule> rules) {
        Map<String, Integer> ids = new HashMap<>();
        Plan[] plans = new Plan[rules.size()];
        for (int r = 0; r < rules.size(); r++) {
            plans[r] = new Plan(plan(rules.get(r).pattern(), ids));
        }
        String[] byId = new String[ids.size()];
        int[] lengths = new int[ids.size()];
        ids.forEach((literal, id) -> {
            byId[id] = literal;
            lengths[id] = literal.length();
        });
        return new RuleIndex(List.copyOf(rules), plans, LiteralAutomaton.of(List.of(byId)), lengths);
    }

    /** A reference without the index: every rule searched over the whole text (tests compare against it). */
    static RuleIndex exhaustive(List<InjectionRules.Rule> rules) {
        Plan[] plans = new Plan[rules.size()];
        Arrays.fill(plans, new Plan(null));
        return new RuleIndex(List.copyOf(rules), plans, LiteralAutomaton.of(List.of()), new int[0]);
    }

    /** The plan of each top-level alternative; null when some alternative is unbounded or has no element. */
    private static Alternative[] plan(java.util.regex.Pattern rule, Map<String, Integer> ids) {
        List<String> alternatives = RequiredLiterals.splitAlternatives(rule.pattern());
        Alternative[] out = new Alternative[alternatives.size()];
        for (int a = 0; a < alternatives.size(); a++) {
            String regex = alternatives.get(a);
            int max = MatchLength.of(regex);
            List<List<String>> required = RequiredLiterals.elements(regex).get(0);
            List<List<String>> usable = required.stream()
                    .filter(e -> e.stream().mapToInt(String::length).min().orElse(0) >= MIN_LITERAL).toList();
            if (usable.isEmpty() && !required.isEmpty()) {
                usable = List.of(RequiredLiterals.mostSelective(required)); // short literals beat searching everything
            }
            if (max == MatchLength.UNBOUNDED || usable.isEmpty()) {
                return null;
            }
            int[][] elements = new int[usable.size()][];
            for (int e = 0; e < usable.size(); e++) {
                elements[e] = usable.get(e).stream().mapToInt(l -> ids.computeIfAbsent(l, k -> ids.size())).toArray();
            }
            out[a] = new Alternative(java.util.regex.Pattern.compile(regex, rule.flags()), max, elements);
        }
        return out;
    }

    /** Whether every rule is indexed (none is searched whole). */
    boolean indexesEveryRule() {
        return Arrays.stream(plans).noneMatch(Plan::wholeText);
    }

    /** Ids of rules that are searched whole. */
    List<String> searchedWhole() {
        List<String> out = new ArrayList<>();
        for (int r = 0; r < plans.length; r++) {
            if (plans[r].wholeText()) {
                out.add(rules.get(r).id());
            }
        }
        return out;
    }

    /**
     * The rules (by position in the rule list) whose regex matches {@code text}, skipping those in
     * {@code skip}; adds the characters it examined (literal pass plus regex windows) to {@code work}.
     */
    BitSet matches(String text, BitSet skip, long[] work) {
        return matches(text, skip, work, null);
    }

    /**
     * As {@link #matches(String, BitSet, long[])}, but only matches that cover one of the positions in
     * {@code touching} count (null: any match): for a variant of a text that differs from it only there
     * (leetspeak folded, spelled-out letters joined), matches elsewhere were already found in the text.
     */
    BitSet matches(String text, BitSet skip, long[] work, BitSet touching) {
        int n = text.length();
        int[][] hits = new int[literalLength.length][];
        int[] counts = new int[literalLength.length];
        // an alternative is a candidate once every one of its elements has occurred: found as literals occur
        boolean[] elementSeen = new boolean[elementAlternative.length];
        int[] elementsSeen = new int[alternatives.length];
        BitSet candidates = new BitSet(alternatives.length);
        if (literalLength.length > 0) {
            literals.scan(text, (id, occurrenceEnd) -> {
                int[] list = hits[id];
                if (list == null) {
                    list = hits[id] = new int[4];
                    for (int e : literalElements[id]) {
                        if (!elementSeen[e]) {
                            elementSeen[e] = true;
                            int a = elementAlternative[e];
                            if (++elementsSeen[a] == alternatives[a].elements().length) {
                                candidates.set(a);
                            }
                        }
                    }
                } else if (counts[id] == list.length) {
                    list = hits[id] = Arrays.copyOf(list, list.length * 2);
                }
                list[counts[id]++] = occurrenceEnd; // exclusive; ascending
            });
            work[0] += n;
        }
        BitSet out = new BitSet(rules.size());
        for (int r = 0; r < rules.size(); r++) {
            if (!skip.get(r) && plans[r].wholeText()) {
                work[0] += n;
                if (rules.get(r).pattern().matcher(text).find()) {
                    out.set(r);
                }
            }
        }
        for (int a = candidates.nextSetBit(0); a >= 0; a = candidates.nextSetBit(a + 1)) {
            int r = alternativeRule[a];
            if (!skip.get(r) && !out.get(r) && matches(alternatives[a], text, hits, counts, touching, work)) {
                out.set(r);
            }
        }
        return out;
    }

    /** Whether {@code alt} matches in a window around one of its anchor occurrences. */
    private boolean matches(Alternative alt, String text, int[][] hits, int[] counts, BitSet touching, long[] work) {
        int n = text.length();
        int[][] alternative = alt.elements();
        int anchor = rarest(alternative, counts);
        if (anchor < 0) {
            return false; // an element that does not occur: this alternative cannot match
        }
        long[] windows = new long[8];
        int w = 0;
        for (int id : alternative[anchor]) {
            for (int k = 0; k < counts[id]; k++) {
                int end = hits[id][k];
                int from = Math.max(0, end - alt.maxLength());
                int to = Math.min(n, end - literalLength[id] + alt.maxLength());
                if (!othersWithin(alternative, anchor, from, to, hits, counts)) {
                    continue;
                }
                if (touching != null) {
                    int t = touching.nextSetBit(from);
                    if (t < 0 || t >= to) {
                        continue; // any match here lies in unchanged text
                    }
                }
                if (w == windows.length) {
                    windows = Arrays.copyOf(windows, w * 2);
                }
                windows[w++] = ((long) from << 32) | to;
            }
        }
        if (w == 0) {
            return false;
        }
        Matcher m = alt.pattern().matcher(text).useTransparentBounds(true).useAnchoringBounds(false);
        return anyMatch(m, windows, w, work);
    }

    /** Index of the element with the fewest occurrences, or -1 when one has none. */
    private static int rarest(int[][] alternative, int[] counts) {
        int best = -1;
        int bestCount = Integer.MAX_VALUE;
        for (int e = 0; e < alternative.length; e++) {
            int c = 0;
            for (int id : alternative[e]) {
                c += counts[id];
            }
            if (c == 0) {
                return -1;
            }
            if (c < bestCount) {
                best = e;
                bestCount = c;
            }
        }
        return best;
    }

    /** Whether every element but {@code anchor} has an occurrence inside [from, to). */
    private boolean othersWithin(int[][] alternative, int anchor, int from, int to, int[][] hits, int[] counts) {
        for (int e = 0; e < alternative.length; e++) {
            if (e == anchor) {
                continue;
            }
            boolean found = false;
            for (int id : alternative[e]) {
                int[] ends = hits[id];
                if (ends == null) {
                    continue;
                }
                int i = Arrays.binarySearch(ends, 0, counts[id], from + literalLength[id]);
                int at = i >= 0 ? i : -i - 1;
                if (at < counts[id] && ends[at] <= to) {
                    found = true;
                    break;
                }
            }
            if (!found) {
                return false;
            }
        }
        return true;
    }

    /** Searches the windows (packed from &lt;&lt; 32 | to), overlapping ones merged, until a match. */
    private static boolean anyMatch(Matcher m, long[] windows, int count, long[] work) {
        Arrays.sort(windows, 0, count);
        int from = (int) (windows[0] >>> 32);
        int to = (int) windows[0];
        for (int i = 1; i <= count; i++) {
            int f = i < count ? (int) (windows[i] >>> 32) : Integer.MAX_VALUE;
            int t = i < count ? (int) windows[i] : 0;
            if (f <= to) {
                to = Math.max(to, t);
                continue;
            }
            work[0] += to - from;
            if (m.region(from, to).find()) {
                return true;
            }
            from = f;
            to = t;
        }
        return false;
    }
}
