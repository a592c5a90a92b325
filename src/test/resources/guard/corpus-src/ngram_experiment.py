#!/usr/bin/env python3
"""The second signal we measured and did not ship (docs/guardrails.md, "A second signal"): a logistic
regression over hashed character 3-5-grams, trained on the corpus's tuning half only, evaluated on the
held-out half alone and combined with the pattern score. Standard library only; deterministic.

    ./mvnw -q test -Dtest=InjectionCorpusTest -Dguard.corpus.scores=/tmp/pattern_scores.tsv
    python3 src/test/resources/guard/corpus-src/ngram_experiment.py /tmp/pattern_scores.tsv
"""
import hashlib, json, math, os, random, re, sys, unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
ROWS = [json.loads(l) for l in open(os.path.join(HERE, "..", "injection-corpus.jsonl"), encoding="utf-8")]
DIM = 1 << 18


def held_out(text):  # the split of InjectionCorpusTest: first byte of SHA-256 odd
    return hashlib.sha256(text.encode()).digest()[0] & 1 == 1


def features(text):
    t = " " + re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text).lower()) + " "
    f = {}
    for n in (3, 4, 5):
        for i in range(len(t) - n + 1):
            h = int.from_bytes(hashlib.blake2b(t[i:i + n].encode(), digest_size=4).digest(), "little") % DIM
            f[h] = f.get(h, 0) + 1
    norm = math.sqrt(sum(v * v for v in f.values()))
    return {k: v / norm for k, v in f.items()}


def train(examples, epochs=30, lr=0.5, l2=1e-4):
    w, b = {}, 0.0
    random.seed(1)
    for _ in range(epochs):
        random.shuffle(examples)
        for f, y in examples:
            p = 1 / (1 + math.exp(-max(-30, min(30, b + sum(w.get(k, 0) * v for k, v in f.items())))))
            for k, v in f.items():
                w[k] = w.get(k, 0) * (1 - lr * l2) - lr * (p - y) * v
            b -= lr * (p - y)
    return lambda f: 1 / (1 + math.exp(-max(-30, min(30, b + sum(w.get(k, 0) * v for k, v in f.items())))))


def report(name, pairs):
    tp = sum(1 for p, y in pairs if p and y); fp = sum(1 for p, y in pairs if p and not y)
    fn = sum(1 for p, y in pairs if not p and y); tn = sum(1 for p, y in pairs if not p and not y)
    print(f"{name:34s} precision={tp / max(1, tp + fp):.3f} recall={tp / max(1, tp + fn):.3f} "
          f"fpr={fp / max(1, fp + tn):.3f} (tp={tp} fp={fp} fn={fn} tn={tn})")


def main():
    model = train([(features(r["text"]), r["label"]) for r in ROWS if not held_out(r["text"])])
    test = [(model(features(r["text"])), r["label"], r["text"]) for r in ROWS if held_out(r["text"])]
    for t in (0.5, 0.7, 0.9, 0.95):
        report(f"model alone, p >= {t}", [(p >= t, y) for p, y, _ in test])
    if len(sys.argv) > 1:
        scores = {}
        for line in open(sys.argv[1], encoding="utf-8"):
            s, y, text = line.rstrip("\n").split("\t")
            scores[json.loads(text)] = float(s)
        report("patterns alone (score >= 1.0)", [(scores[t] >= 1 - 1e-9, y) for _, y, t in test])
        for t in (0.9, 0.95, 0.98):
            report(f"patterns or model p >= {t}", [(scores[t2] >= 1 - 1e-9 or p >= t, y) for p, y, t2 in test])


if __name__ == "__main__":
    main()
