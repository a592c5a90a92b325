package dev.keywarden.guard;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import org.ahocorasick.trie.Trie;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * Scores text for prompt-injection: the sum of the weights of the {@link InjectionRules} that match
 * any normalised variant of the text ({@link TextNormalizer}), each rule once, plus the weights of
 * the obfuscation signals present, plus the {@code ngram_model} signal when an {@link NgramModel} is given
 * and puts the text at or above its threshold. A screen: it lowers the risk of the known phrasings, it
 * cannot recognise every injection (docs/guardrails.md). Thread-safe.
 *
 * <p>Cost: linear in the length of the text (normalisation is one pass per variant, the rules are found
 * through {@link RuleIndex}), and paid once per distinct text: scores are kept in a bounded cache keyed
 * by a keyed SHA-256 of the text and the rules version, so a conversation resent with one more turn costs
 * the hashing of its history and the scoring of the new turn only. The cache holds digests and scores,
 * never text; the key of the digest is random per process, so an outsider can neither predict which
 * texts share a cache slot nor precompute a text that reuses another's score (that needs a SHA-256 collision).
 */
public final class InjectionScorer {

    /** The score of one text and the rules that contributed (ids only). */
    public record Score(double value, List<String> rules) {
        public boolean atLeast(double threshold) {
            return value >= threshold - 1e-9;
        }
    }

    /** Scores kept: about 150 bytes each, so at most about 8 MB. */
    static final int CACHE_ENTRIES = 50_000;
    private static final Score ZERO = new Score(0, List.of());

    private final InjectionRules rules;
    private final NgramModel model;
    private final RuleIndex index;
    private final Trie squashedPhrases;
    private final Cache<Key, Score> cache;
    private final MessageDigest keyedDigest;
    private final LongAdder computed = new LongAdder();
    private final LongAdder work = new LongAdder();

    /** A cache key: the keyed SHA-256 of a text and the versions of the rules and model that scored it (rules × 1000 + model). */
    private record Key(long a, long b, long c, long d, int rulesVersion) {
    }

    /** A scorer of {@code rules} and, when {@code model} is not null, the n-gram model's signal ({@code ngram_model}). */
    public InjectionScorer(InjectionRules rules, NgramModel model) {
        this(rules, model, RuleIndex.of(rules.rules()));
    }

    /** A scorer of the rules alone. */
    public static InjectionScorer rulesOnly(InjectionRules rules) {
        return new InjectionScorer(rules, null);
    }

    private InjectionScorer(InjectionRules rules, NgramModel model, RuleIndex index) {
        this.rules = rules;
        this.model = model;
        this.index = index;
        this.squashedPhrases = Trie.builder().addKeywords(rules.squashedPhrases()).build();
        this.cache = Caffeine.newBuilder().maximumSize(CACHE_ENTRIES).build();
        byte[] salt = new byte[32];
        new SecureRandom().nextBytes(salt);
        try {
            this.keyedDigest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
        keyedDigest.update(salt);
    }

    /** A scorer that searches every rule over the whole text (no index): the reference tests compare against. */
    static InjectionScorer exhaustive(InjectionRules rules) {
        return new InjectionScorer(rules, null, RuleIndex.exhaustive(rules.rules()));
    }

    /** The shipped rules and the shipped n-gram model. */
    public static InjectionScorer builtIn() {
        return Shipped.SCORER;
    }

    /** Built on first use. */
    private static final class Shipped {
        static final InjectionScorer SCORER = new InjectionScorer(InjectionRules.builtIn(), NgramModel.builtIn());
    }

    public InjectionRules rules() {
        return rules;
    }

    RuleIndex index() {
        return index;
    }

    /** How many texts were scored rather than found in the cache (for tests). */
    long computed() {
        return computed.sum();
    }

    /** The cache's entries (for tests: they hold digests and scores only). */
    java.util.Map<?, Score> cached() {
        return cache.asMap();
    }

    /** Characters examined by scoring so far — normalisation, literal passes and regex windows (for tests). */
    long work() {
        return work.sum();
    }

    public Score score(String text) {
        if (text == null || text.isBlank()) {
            return ZERO;
        }
        Key key = keyOf(text);
        Score cached = cache.getIfPresent(key);
        if (cached != null) {
            return cached;
        }
        Score s = compute(text);
        cache.put(key, s);
        return s;
    }

    private Key keyOf(String text) {
        MessageDigest md;
        try {
            md = (MessageDigest) keyedDigest.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("SHA-256 digests cannot be cloned in this JVM", e);
        }
        ByteBuffer h = ByteBuffer.wrap(md.digest(text.getBytes(StandardCharsets.UTF_8)));
        return new Key(h.getLong(), h.getLong(), h.getLong(), h.getLong(), rules.version() * 1000 + (model == null ? 0 : model.version()));
    }

    private Score compute(String text) {
        computed.increment();
        long[] cost = {0};
        TextNormalizer.Normalized n = TextNormalizer.normalize(text);
        cost[0] += text.length() * 3L; // NFKC, invisible characters, canonical form
        BitSet direct = index.matches(n.plain(), new BitSet(), cost);
        if (n.leet() != n.plain()) {
            direct.or(index.matches(n.leet(), direct, cost, n.leetChanged()));
        }
        BitSet viaJoined = n.joined() == null ? new BitSet() : index.matches(n.joined(), direct, cost, n.runs());
        BitSet known = (BitSet) direct.clone();
        known.or(viaJoined);
        BitSet viaDecoded = new BitSet();
        for (String d : n.decoded()) {
            BitSet skip = (BitSet) known.clone();
            skip.or(viaDecoded);
            viaDecoded.or(index.matches(d, skip, cost));
        }
        List<String> hit = new ArrayList<>();
        double score = 0;
        BitSet all = (BitSet) known.clone();
        all.or(viaDecoded);
        for (int r = all.nextSetBit(0); r >= 0; r = all.nextSetBit(r + 1)) {
            InjectionRules.Rule rule = rules.rules().get(r);
            hit.add(rule.id());
            score += rule.weight();
        }
        boolean spaced = !viaJoined.isEmpty();
        TextNormalizer.Squashed squashed = n.squashed();
        if (squashed != null) {
            cost[0] += squashed.text().length() * 2L;
            String phrase = squashedPhrase(squashed);
            if (phrase != null) {
                hit.add("squashed:" + phrase);
                score += rules.squashedWeight();
                spaced = true;
            }
        }
        List<String> signals = new ArrayList<>(0);
        if (n.zeroWidth()) {
            signals.add("zero_width");
        }
        if (n.mixedScript()) {
            signals.add("mixed_script");
        }
        if (!viaDecoded.isEmpty()) {
            signals.add("encoded_payload");
        }
        if (spaced) {
            signals.add("spaced_letters");
        }
        if (model != null) {
            cost[0] += n.plain().length() * 2L;
            if (model.probability(n.plain()) >= model.threshold()) {
                signals.add("ngram_model");
            }
        }
        for (String s : signals) {
            score += rules.signal(s);
            hit.add("signal:" + s);
        }
        work.add(cost[0]);
        return new Score(Math.max(0, score), List.copyOf(hit));
    }

    /** The first squashed phrase (in rules order) that occurs in {@code squashed} touching spaced-out letters. */
    private String squashedPhrase(TextNormalizer.Squashed squashed) {
        BitSet found = new BitSet();
        List<String> phrases = rules.squashedPhrases();
        squashedPhrases.parseText(squashed.text(), emit -> {
            if (squashed.touchesRun(emit.getStart(), emit.getEnd() + 1)) {
                found.set(phrases.indexOf(emit.getKeyword()));
            }
            return false;
        });
        return found.isEmpty() ? null : phrases.get(found.nextSetBit(0));
    }
}
