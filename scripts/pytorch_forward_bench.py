#!/usr/bin/env python3
"""PyTorch reference for the encoder forward benchmark (optional; never in CI).

    python scripts/pytorch_forward_bench.py --model DIR [--threads 2] [--batch 32] [--length 256]

Forward pass of the BertModel under `torch.inference_mode()` on real abstracts, each padded or
truncated to exactly `length` tokens; prints the median (and best) of `--runs` runs after one
warm-up as tokens/s.
"""
import argparse
import csv
import glob
import os
import statistics
import time

import torch
from transformers import AutoModel, AutoTokenizer


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="/work/helpers/models/all-MiniLM-L6-v2")
    ap.add_argument("--corpora", default="/work/shared/corpora")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--length", type=int, default=256)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    os.environ["HF_HUB_OFFLINE"] = "1"
    tok = AutoTokenizer.from_pretrained(args.model)
    model = AutoModel.from_pretrained(args.model).eval()
    texts = []
    for path in sorted(glob.glob(os.path.join(args.corpora, "cohen2006", "*.csv"))):
        with open(path, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                if row.get("abstract"):
                    texts.append(row["title"] + " " + row["abstract"])
                if len(texts) >= args.batch:
                    break
        if len(texts) >= args.batch:
            break
    enc = tok(texts, padding="max_length", truncation=True, max_length=args.length, return_tensors="pt")
    times = []
    with torch.inference_mode():
        model(**enc)  # warm-up
        for _ in range(args.runs):
            t0 = time.perf_counter()
            model(**enc)
            times.append(time.perf_counter() - t0)
    tokens = args.batch * args.length
    med = statistics.median(times)
    print(f"torch {torch.__version__} threads={args.threads} batch={args.batch}x{args.length}: "
          f"median {med:.3f} s ({tokens / med:.0f} tokens/s), best {min(times):.3f} s "
          f"({tokens / min(times):.0f} tokens/s), runs {[round(t, 3) for t in times]}")


if __name__ == "__main__":
    main()
