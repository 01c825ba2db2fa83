#!/usr/bin/env python3
"""Writes Tests/EncoderTests/Fixtures/embedding_fixture.json: sentence-transformers reference.

Run once, in a venv with `pip install torch sentence-transformers`:

    python scripts/make_embedding_fixture.py --model /path/to/all-MiniLM-L6-v2

Contents: {"model_sha256", "max_seq_length", "texts": [...], "embeddings": [[384 floats]...],
"hidden": [{"text", "input_ids", "last_hidden_state": [[384 floats] per token]}]}.
Embeddings are what `SentenceTransformer(model_dir).encode(texts)` returns (mean pooling over the
attention mask, then L2 normalisation, max_seq_length 256). Hidden states are the raw
`last_hidden_state` of the BertModel for 3 short texts, each encoded alone (no padding).
"""
import argparse
import csv
import glob
import hashlib
import json
import os

import torch
from sentence_transformers import SentenceTransformer


def corpus_texts(corpora):
    out = []
    for path in sorted(glob.glob(os.path.join(corpora, "cohen2006", "*.csv")))[:3]:
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        for row in rows[:200]:
            if row.get("abstract") and len(row["abstract"]) > 1500:  # longer than 256 tokens
                out.append(row["title"] + " " + row["abstract"])
                break
        for row in rows[200:400]:
            if row.get("abstract") and 400 < len(row["abstract"]) < 900:
                out.append(row["abstract"])
                break
        out.append(rows[5]["title"])
    return out


FIXED = [
    "Early mobilisation after hip fracture surgery improves functional recovery.",
    "The stock market fell sharply on Monday.",
    "Randomized controlled trial",
    "a",
    "",
    "Café au lait: naïve résumé of α-synuclein and β-blockers (p<0.001).",
    "中文摘要：针刺治疗慢性疼痛。",
    "Emoji 😀 and URL https://doi.org/10.1016/S0140-6736(20)30183-5",
    "ACE inhibitors reduce mortality in patients with chronic heart failure: a meta-analysis.",
    "Systematic review of antihistamines for allergic rhinitis in children",
    "COVID-19 vaccination and myocarditis in adolescents",
    "Sodium-glucose cotransporter 2 inhibitors and kidney outcomes",
    "word " * 300,
    "[CLS] literal special tokens [SEP] inside text",
]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="/work/helpers/models/all-MiniLM-L6-v2")
    ap.add_argument("--corpora", default="/work/shared/corpora")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "Tests", "EncoderTests", "Fixtures", "embedding_fixture.json"))
    args = ap.parse_args()
    torch.manual_seed(0)

    model = SentenceTransformer(args.model, device="cpu")
    model.max_seq_length = 256
    texts = FIXED + corpus_texts(args.corpora)
    emb = model.encode(texts, batch_size=8, convert_to_numpy=True)

    tok = model.tokenizer
    bert = model[0].auto_model.eval()
    hidden = []
    for text in ["Hello, world!", "Early mobilisation after hip fracture surgery.", "α-synuclein aggregation in Parkinson's disease"]:
        enc = tok(text, return_tensors="pt")
        with torch.inference_mode():
            h = bert(**enc).last_hidden_state[0]
        hidden.append({
            "text": text,
            "input_ids": enc["input_ids"][0].tolist(),
            "last_hidden_state": [[float(f"{v:.8g}") for v in row] for row in h.tolist()],
        })

    with open(os.path.join(args.model, "model.safetensors"), "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    out = {
        "model_sha256": sha,
        "max_seq_length": model.max_seq_length,
        "texts": texts,
        "embeddings": [[float(f"{v:.8g}") for v in row] for row in emb.tolist()],
        "hidden": hidden,
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False)
    print(f"wrote {len(texts)} embeddings and {len(hidden)} hidden-state sets to {args.out}")
    print("modules:", model)


if __name__ == "__main__":
    main()
