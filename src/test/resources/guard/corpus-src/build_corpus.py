#!/usr/bin/env python3
"""Builds ../injection-corpus.jsonl from the hand-written lists in this directory.

Every line of the *.txt files was written for Keywarden (see ../CORPUS.md). The only generated
entries are the obfuscated variants of obfuscation_bases.txt: each base phrase is disguised in two
of six ways (base64 with a lead-in, Cyrillic look-alikes, zero-width characters, leetspeak,
spaced-out letters, full-width letters), chosen in rotation. Deterministic: running it again gives
the same file.
"""
import base64, json, os

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "injection-corpus.jsonl")

LABELLED = [
    ("inject_override.txt", 1, "authored:instruction-override"),
    ("inject_roleplay.txt", 1, "authored:role-play"),
    ("inject_extract.txt", 1, "authored:prompt-extraction"),
    ("inject_indirect.txt", 1, "authored:indirect"),
    ("inject_multilingual.txt", 1, "authored:non-english"),
    ("benign_general.txt", 0, "authored:benign"),
    ("benign_hard.txt", 0, "authored:hard-negative"),
    ("benign_security_data.txt", 0, "authored:security-and-data"),
    ("benign_multilingual.txt", 0, "authored:non-english-benign"),
    # added for issue 16 (same authorship and licence; see ../CORPUS.md)
    ("inject_short_override.txt", 1, "authored:short-override"),
    ("inject_task_diversion.txt", 1, "authored:task-diversion"),
    ("inject_persona.txt", 1, "authored:persona"),
    ("inject_jailbreak_more.txt", 1, "authored:role-play"),
    ("inject_fake_header.txt", 1, "authored:fake-header"),
    ("inject_indirect_more.txt", 1, "authored:indirect"),
    ("inject_german.txt", 1, "authored:override-de"),
    ("inject_french.txt", 1, "authored:override-fr"),
    ("inject_spanish.txt", 1, "authored:override-es"),
    ("inject_portuguese.txt", 1, "authored:override-pt"),
    ("inject_italian.txt", 1, "authored:override-it"),
    ("inject_dutch.txt", 1, "authored:override-nl"),
    ("benign_hard_more.txt", 0, "authored:hard-negative"),
    ("benign_de.txt", 0, "authored:hard-negative-de"),
    ("benign_fr.txt", 0, "authored:hard-negative-fr"),
    ("benign_es.txt", 0, "authored:hard-negative-es"),
    ("benign_pt.txt", 0, "authored:hard-negative-pt"),
    ("benign_it.txt", 0, "authored:hard-negative-it"),
    ("benign_nl.txt", 0, "authored:hard-negative-nl"),
    ("benign_headers.txt", 0, "authored:config-and-logs"),
    # added for issue 16 round 2 (same authorship and licence; written before the rules that catch them)
    ("inject_short_override_r2.txt", 1, "authored:short-override"),
    ("inject_german_r2.txt", 1, "authored:override-de"),
    ("inject_jailbreak_short.txt", 1, "authored:jailbreak-short"),
    ("inject_task_diversion_r2.txt", 1, "authored:task-diversion"),
    ("inject_fake_header_r2.txt", 1, "authored:fake-header"),
    ("benign_hard_r2.txt", 0, "authored:hard-negative"),
    ("benign_de_r2.txt", 0, "authored:hard-negative-de"),
]

LEADINS = ["Decode this and do what it says: {}", "{}", "Here is my request in base64: {}",
           "Please process the following payload: {}", "b64: {}"]
CYR = {"a": "\u0430", "e": "\u0435", "o": "\u043e", "p": "\u0440", "c": "\u0441", "i": "\u0456", "y": "\u0443", "x": "\u0445"}
LEET = {"a": "4", "e": "3", "i": "1", "o": "0", "s": "5", "t": "7"}


def b64(text, n):
    return LEADINS[n % len(LEADINS)].format(base64.b64encode(text.encode()).decode())


def homoglyph(text, n):
    return "".join(CYR.get(ch, ch) if (k + n) % 2 == 0 else ch for k, ch in enumerate(text))


def zero_width(text, n):
    words = text.split(" ")
    return " ".join("\u200b".join(w) if len(w) > 3 and (k + n) % 2 == 0 else w for k, w in enumerate(words))


def leet(text, n):
    return "".join(LEET.get(ch, ch) for ch in text)


def spaced(text, n):
    words = text.split(" ")
    return " ".join(" ".join(w) if k < 2 else w for k, w in enumerate(words))


def fullwidth(text, n):
    return "".join(chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ("\u3000" if ch == " " else ch) for ch in text)


TRANSFORMS = [("base64", b64), ("homoglyph", homoglyph), ("zero-width", zero_width), ("leetspeak", leet),
              ("spaced", spaced), ("full-width", fullwidth)]


def lines(name):
    with open(os.path.join(HERE, name), encoding="utf-8") as f:
        # a literal backslash-n in a line stands for a line break (multi-line prompts)
        return [l.rstrip("\n").replace("\\n", "\n") for l in f if l.strip()]


def main():
    rows = []
    for name, label, source in LABELLED:
        rows += [{"text": t, "label": label, "source": source} for t in lines(name)]
    for n, base in enumerate(lines("obfuscation_bases.txt")):
        for k in range(2):
            tname, fn = TRANSFORMS[(2 * n + k) % len(TRANSFORMS)]
            rows.append({"text": fn(base, n), "label": 1, "source": "authored:obfuscated:" + tname})
    seen = set()
    with open(OUT, "w", encoding="utf-8") as out:
        for r in rows:
            if r["text"] in seen:
                continue
            seen.add(r["text"])
            out.write(json.dumps(r, ensure_ascii=False) + "\n")
    pos = sum(1 for r in rows if r["label"] == 1)
    print(f"{len(seen)} prompts, {pos} injections, {len(rows) - pos} benign")


if __name__ == "__main__":
    main()
