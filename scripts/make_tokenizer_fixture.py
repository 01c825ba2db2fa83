#!/usr/bin/env python3
"""Writes Tests/TextTests/Fixtures/tokenizer_fixture.jsonl: Hugging Face BertTokenizer ids.

Run once, in a venv with `pip install tokenizers transformers` (torch not needed):

    python scripts/make_tokenizer_fixture.py --model DIR --corpora /work/shared/corpora

Each line: {"text", "pair" (or null), "max_length" (or null: no truncation), "input_ids",
"token_type_ids"}. Texts: real titles and abstracts (Cohen 2006 CSVs, CLEF TAR 2017 doctexts),
preferring ones with non-ASCII characters, plus hand-written hard cases and pairs.
"""
import argparse
import csv
import glob
import json
import os
import random

from tokenizers import BertWordPieceTokenizer
from transformers import BertTokenizer


def real_texts(corpora, rng):
    titles, abstracts = [], []
    for path in sorted(glob.glob(os.path.join(corpora, "cohen2006", "*.csv"))):
        with open(path, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                if row.get("title"):
                    titles.append(row["title"])
                if row.get("abstract"):
                    abstracts.append(row["abstract"])
    for path in sorted(glob.glob(os.path.join(corpora, "clef_tar2017", "doctexts", "*")))[:4]:
        with open(path, encoding="utf-8") as f:
            for i, line in enumerate(f):
                if i >= 3000:
                    break
                doc = json.loads(line)
                if doc.get("title"):
                    titles.append(doc["title"])
                if doc.get("content"):
                    abstracts.append(doc["content"])

    def pick(pool, n_unicode, n_plain):
        uni = [t for t in pool if any(ord(c) > 127 for c in t)]
        plain = [t for t in pool if all(ord(c) <= 127 for c in t)]
        rng.shuffle(uni)
        rng.shuffle(plain)
        return uni[:n_unicode] + plain[:n_plain]

    return pick(titles, 40, 50), pick(abstracts, 30, 30)


HARD = [
    "",
    " ",
    "Hello, World!",
    "Café au lait naïve résumé Ångström Øresund Łódź Dvořák façade coöperate",
    "ÀÁÂÃÄÅ àáâãäå ÈÉÊË ÌÍÎÏ ÒÓÔÕÖ ÙÚÛÜ Ýÿ Ññ Çç",
    "α-synuclein, β-blockers, γ-aminobutyric acid, δ-opioid, κB, μg/mL, Δ9-THC",
    "ΣΑΣ ΟΔΟΣ Ωμέγα Ελληνικά: η μελέτη του ΔΝΑ",
    "2-[4-(2-methylpropyl)phenyl]propanoic acid (ibuprofen); N,N-dimethyltryptamine",
    "(2S,3R,4S,5S,6R)-2-[(1S,2S,3S,4R,6S)-4,6-diamino-3-[(2R,3S,4S,5S,6R)-4-amino-3,5-dihydroxy-6-(hydroxymethyl)oxan-2-yl]oxy-2-hydroxycyclohexyl]oxy-6-(hydroxymethyl)oxane-3,4,5-triol",
    "CH3CH2OH + O2 → CH3COOH + H2O; Na⁺/K⁺-ATPase; Ca²⁺; 10⁻⁶ M; H₂O₂",
    "See https://www.ncbi.nlm.nih.gov/pubmed/?term=10051933&report=abstract#top for details.",
    "Contact: j.doe@example.org, http://doi.org/10.1016/S0140-6736(20)30183-5",
    "ftp://ftp.ebi.ac.uk/pub/databases/ and www.cochrane.org/CD009944",
    "中文摘要：本研究旨在评估针刺治疗慢性疼痛的疗效。",
    "日本語のテキストとカタカナ、ひらがな。",
    "한국어 초록: 무작위 대조 시험",
    "Mixed 中文 and English 混合 text",
    "𠀀𠀁 extension B 𫠠 𫤠 𬺰 ideographs",
    "Emoji: 😀👍🏽🧬💊🩺 and flags 🇳🇱🇺🇸 and family 👨‍👩‍👧",
    "Control\u0000chars\u0001here\u0007and\u001ftoo\u007f",
    "Tab\tnew\nline\rcarriage\u000bvertical\u000cformfeed\u0085next-line",
    "Zero\u200bwidth\u200cjoiners\u200dand\ufeffBOM\u00adsoft hyphen",
    "Replacement \ufffd char and private \ue000 use",
    "Non\u00a0breaking\u2009thin\u3000ideographic\u2028line\u2029para spaces",
    "unassigned \u0378 code point",
    "a" * 101,
    "b" * 100,
    "pneumonoultramicroscopicsilicovolcanoconiosis " * 3,
    "x" * 250 + " tail",
    "Antidisestablishmentarianism supercalifragilisticexpialidocious",
    "İstanbul ǅemal ﬁnal ﬂow Straße STRASSE ẞ ß ſ K Ω Å",
    "Ligatures ﬀ ﬃ and fullwidth ＡＢＣ１２３ and circled ①②③",
    "Quotes “double” ‘single’ «guillemets» „low“ and dashes – — ‒ ―",
    "Math: x ≤ y ≥ z ± 2σ, ∑ᵢ xᵢ² ≈ ∞, √2, ∂f/∂x, ∫₀¹",
    "Currency $100 €50 £30 ¥1000 ₹500; percent 95% CI 1.2–3.4; p<0.001",
    "Symbols ^caret ~tilde `backtick` |pipe| \\backslash {braces} [brackets] <angle> _under_",
    "hello [CLS] x[SEP]y [cls] [MASK]a [PAD][UNK] [SEPX]",
    "[CLS]",
    "Vietnamese: Nghiên cứu về bệnh tiểu đường ở Việt Nam",
    "Arabic: دراسة عشوائية محكومة; Hebrew: מחקר אקראי",
    "Devanagari: यादृच्छिक नियंत्रित परीक्षण; Thai: การทดลองแบบสุ่ม",
    "Cyrillic: Рандомизированное контролируемое исследование",
    "Combining: e\u0301 a\u0300 o\u0308 n\u0303 (decomposed) vs é à ö ñ (precomposed)",
    "Mn only: \u0301\u0300",
    "HbA1c ≥6.5% (48 mmol/mol); IL-1β, TNF-α, NF-κB; COVID-19; SARS-CoV-2",
    "1,000,000 3.14159 1e-10 -5 +7 12:30 2024-01-15 v2.3.1",
    "U.S.A. e.g. i.e. et al. vs. Dr. Mr. Ph.D.",
    "don't can't won't it's o'clock rock'n'roll",
    "ALL CAPS TITLE: A RANDOMIZED CONTROLLED TRIAL",
    "   leading and trailing spaces   ",
    "multiple     internal     spaces",
    "....!!!???,,,;;;:::",
    "#hashtag @mention $ticker %percent &amp; *star*",
    "Mathematical 𝐀𝐁𝐂 𝑥𝑦𝑧 double-struck ℝℕℤ",
    "Musical 𝄞 and Gothic 𐌰𐌱 and cuneiform 𒀀",
    "Superscripts x² y³ and fractions ½ ¾ and roman Ⅻ",
    "Ellipsis… bullet • middle dot · degree ° prime ′ ″",
    "Ünïcödé ÜBER über ŒUVRE œuvre Æsir æther",
    "Te\u0000st\u0000 NUL inside words",
    "\u00e9\u0301 double accent and \u1e9b\u0323 long s with dots",
    "trailing combining at end e\u0301",
    "the ##ing suffix ## alone and #1 ranked",
]

PAIRS = [
    ("Early mobilisation after hip fracture surgery", "A randomized trial of early mobilization in elderly patients after hip fracture."),
    ("What is the efficacy of ACE inhibitors?", "Angiotensin-converting–enzyme inhibitors reduce mortality in heart failure."),
    ("query", ""),
    ("", "document only"),
    ("α-synuclein", "β-amyloid and τ protein in Alzheimer’s disease"),
    ("中文查询", "English document 英文文档"),
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="/work/helpers/models/all-MiniLM-L6-v2")
    ap.add_argument("--corpora", default="/work/shared/corpora")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "Tests", "TextTests", "Fixtures", "tokenizer_fixture.jsonl"))
    args = ap.parse_args()
    rng = random.Random(20261124)

    tok = BertTokenizer.from_pretrained(args.model)
    # Cross-check: the `tokenizers` BERT pipeline built from vocab.txt alone gives the same ids.
    # (transformers 5's `BertTokenizer(vocab_file=...)` ignores the file, so use tokenizers.)
    tok_vocab = BertWordPieceTokenizer(os.path.join(args.model, "vocab.txt"), lowercase=True)

    titles, abstracts = real_texts(args.corpora, rng)
    cases = []  # (text, pair, max_length)
    for t in titles:
        cases.append((t, None, 256))
    for a in abstracts[:40]:
        cases.append((a, None, 256))
    for a in abstracts[40:]:
        cases.append((a, None, None))  # full abstract, no truncation
    for h in HARD:
        cases.append((h, None, None))
        cases.append((h, None, 256))
    for h in HARD[2:12]:
        cases.append((h, None, 8))
    for a, b in PAIRS:
        for ml in (None, 256, 12, 9, 3):
            cases.append((a, b, ml))
    # Pairs of real texts with several budgets: exercises longest_first both ways and ties.
    for i in range(12):
        a = titles[i]
        b = abstracts[i]
        for ml in (16, 17, 64, 256):
            cases.append((a, b, ml))
            cases.append((b, a, ml))
    for n1, n2 in [(10, 10), (10, 9), (9, 10), (2, 9), (9, 2), (7, 7), (30, 4)]:
        for ml in (8, 9, 13, 16):
            cases.append(("alpha " * n1, "beta " * n2, ml))

    lines = []
    mismatches = 0
    for text, pair, ml in cases:
        kw = dict(truncation="longest_first", max_length=ml) if ml is not None else dict(truncation=False)
        enc = tok(text, pair, **kw) if pair is not None else tok(text, **kw)
        if ml is None:
            tok_vocab.no_truncation()
        else:
            tok_vocab.enable_truncation(ml, strategy="longest_first")
        enc2 = tok_vocab.encode(text, pair)
        if enc["input_ids"] != enc2.ids or enc["token_type_ids"] != enc2.type_ids:
            mismatches += 1
        lines.append(json.dumps({
            "text": text, "pair": pair, "max_length": ml,
            "input_ids": enc["input_ids"], "token_type_ids": enc["token_type_ids"],
        }, ensure_ascii=False))
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {len(lines)} cases to {args.out}; vocab.txt-vs-tokenizer.json mismatches: {mismatches}")


if __name__ == "__main__":
    main()
