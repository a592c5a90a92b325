package dev.keywarden.guard;

import org.ahocorasick.trie.PayloadTrie;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;

/**
 * Finds which {@link InjectionRules} match a text in time linear in its length: one Aho–Corasick pass
 * finds every occurrence of every rule's required literals ({@link RequiredLiterals}) at once; a rule's
 * regex then runs only in windows around the occurrences of its rarest required element (in this text)
 * that have every other required element of the same alternative close enough, each window as wide as
 * the longest possible match ({@link MatchLength}) on either side.
 *
 * <p>Guarantee: {@link #matches} gives exactly what searching the whole text with each rule's regex
 * gives. A match contains one of the literals of each required element and is no longer than the
 * bound, so it lies inside the window of its anchor occurrence (look-arounds and {@code \b} see past a
 * window's edges); any match found in a window is a match in the text. A rule whose literals or bound
 * cannot be derived, or whose required elements are all shorter than {@value #MIN_LITERAL} characters,
 * is searched whole (still linear: its match length is bounded, or it is one search). Thread-safe.
 */
final class RuleIndex {

    /** Literals shorter than this ("no", "ai") are too common to narrow anything: their element is not indexed. */
    static final int MIN_LITERAL = 3;

    /** How one rule is found: whole-text search, or windows around indexed elements. */
    private record Plan(int maxLength, int[][][] alternatives) {
        boolean wholeText() {
            return alternatives == null;
        }
    }

    private final List<InjectionRules.Rule> rules;
    private final Plan[] plans;
    private final PayloadTrie<Integer> trie;
    private final int[] literalLength;

    private RuleIndex(List<InjectionRules.Rule> rules, Plan[] plans, PayloadTrie<Integer> trie, int[] literalLength) {
        this.rules = rules;
        this.plans = plans;
        this.trie = trie;
        this.literalLength = literalLength;
    }

    static RuleIndex of(List<InjectionRules.Rule> rules) {
        Map<String, Integer> ids = new HashMap<>();
        Plan[] plans = new Plan[rules.size()];
        for (int r = 0; r < rules.size(); r++) {
            String regex = rules.get(r).pattern().pattern();
            int max = MatchLength.of(regex);
            int[][][] alternatives = max == MatchLength.UNBOUNDED ? null : plan(RequiredLiterals.elements(regex), ids);
            plans[r] = new Plan(max, alternatives);
        }
        PayloadTrie.PayloadTrieBuilder<Integer> builder = PayloadTrie.builder();
        int[] lengths = new int[ids.size()];
        ids.forEach((literal, id) -> {
            builder.addKeyword(literal, id);
            lengths[id] = literal.length();
        });
        return new RuleIndex(List.copyOf(rules), plans, builder.build(), lengths);
    }

    /** A reference without the index: every rule searched over the whole text (tests compare against it). */
    static RuleIndex exhaustive(List<InjectionRules.Rule> rules) {
        Plan[] plans = new Plan[rules.size()];
        Arrays.fill(plans, new Plan(MatchLength.UNBOUNDED, null));
        return new RuleIndex(List.copyOf(rules), plans, PayloadTrie.<Integer>builder().build(), new int[0]);
    }

    /** Literal ids per element per alternative; null when some alternative has no indexable element. */
    private static int[][][] plan(List<List<List<String>>> alternatives, Map<String, Integer> ids) {
        int[][][] out = new int[alternatives.size()][][];
        for (int a = 0; a < alternatives.size(); a++) {
            List<int[]> elements = new ArrayList<>();
            for (List<String> element : alternatives.get(a)) {
                if (element.stream().mapToInt(String::length).min().orElse(0) < MIN_LITERAL) {
                    continue;
                }
                elements.add(element.stream().mapToInt(l -> ids.computeIfAbsent(l, k -> ids.size())).toArray());
            }
            if (elements.isEmpty()) {
                return null;
            }
            out[a] = elements.toArray(new int[0][]);
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
        int n = text.length();
        int[][] hits = new int[literalLength.length][];
        int[] counts = new int[literalLength.length];
        if (literalLength.length > 0) {
            trie.parseText(text, emit -> {
                int id = emit.getPayload();
                int[] list = hits[id];
                if (list == null) {
                    list = hits[id] = new int[4];
                } else if (counts[id] == list.length) {
                    list = hits[id] = Arrays.copyOf(list, list.length * 2);
                }
                list[counts[id]++] = emit.getEnd() + 1; // end of the occurrence, exclusive; ascending
                return false;
            });
            work[0] += n;
        }
        BitSet out = new BitSet(rules.size());
        long[] windows = new long[16];
        for (int r = 0; r < rules.size(); r++) {
            if (skip.get(r)) {
                continue;
            }
            Plan plan = plans[r];
            Matcher m = rules.get(r).pattern().matcher(text).useTransparentBounds(true).useAnchoringBounds(false);
            if (plan.wholeText()) {
                work[0] += n;
                if (m.find()) {
                    out.set(r);
                }
                continue;
            }
            int w = 0;
            for (int[][] alternative : plan.alternatives()) {
                int anchor = rarest(alternative, counts);
                if (anchor < 0) {
                    continue; // an element that does not occur: this alternative cannot match
                }
                for (int id : alternative[anchor]) {
                    for (int k = 0; k < counts[id]; k++) {
                        int end = hits[id][k];
                        int from = Math.max(0, end - plan.maxLength());
                        int to = Math.min(n, end - literalLength[id] + plan.maxLength());
                        if (!othersWithin(alternative, anchor, from, to, hits, counts)) {
                            continue;
                        }
                        if (w == windows.length) {
                            windows = Arrays.copyOf(windows, w * 2);
                        }
                        windows[w++] = ((long) from << 32) | to;
                    }
                }
            }
            if (w > 0 && anyMatch(m, windows, w, work)) {
                out.set(r);
            }
        }
        return out;
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
