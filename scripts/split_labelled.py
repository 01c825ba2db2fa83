#!/usr/bin/env python3
"""Splits a labelled export (`csmed export --format csv`) as `csmed experiment within` splits a
review (its own generator, so not the same records): a stratified, seeded share of each class is
what the reviewer has screened (written with its labels), the rest is what is left to rank (written without labels, and its labels as TREC
qrels for `csmed eval`). The demo uses it to show a screener trained on a reviewer's own labels.

usage: split_labelled.py EXPORT.csv --fraction 0.25 --seed 42 --labelled A.csv --rest B.csv --qrels B.qrels
"""
import argparse
import csv
import os
import random
import sys


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("export")
    parser.add_argument("--fraction", type=float, default=0.25)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--label-column", default="label_included")
    parser.add_argument("--labelled", required=True)
    parser.add_argument("--rest", required=True)
    parser.add_argument("--qrels", required=True)
    args = parser.parse_args()
    if not 0 < args.fraction < 1:
        sys.exit(f"split_labelled: --fraction expects a share in (0, 1), got {args.fraction}")
    with open(args.export, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        columns = reader.fieldnames or []
        rows = list(reader)
    for needed in ("record_id", args.label_column):
        if needed not in columns:
            sys.exit(f"split_labelled: {args.export} has no column '{needed}' (found {', '.join(columns)})")
    by_class = {"0": [], "1": []}
    for line, row in enumerate(rows, start=2):
        label = row[args.label_column].strip()
        if label not in by_class:
            sys.exit(f"split_labelled: {args.export} line {line}: expected label 0 or 1, found '{label}'")
        by_class[label].append(row)
    rng = random.Random(args.seed)
    sample = set()
    for label, group in by_class.items():
        if len(group) < 2:
            sys.exit(f"split_labelled: {args.export} has {len(group)} record(s) labelled {label}; needs two to split")
        take = min(len(group) - 1, max(1, round(len(group) * args.fraction)))
        sample.update(row["record_id"] for row in rng.sample(group, take))
    unlabelled = [c for c in columns if c != args.label_column]
    topic = os.path.splitext(os.path.basename(args.rest))[0]
    with open(args.labelled, "w", newline="", encoding="utf-8") as a, \
         open(args.rest, "w", newline="", encoding="utf-8") as b, \
         open(args.qrels, "w", encoding="utf-8") as q:
        labelled = csv.DictWriter(a, fieldnames=columns)
        rest = csv.DictWriter(b, fieldnames=unlabelled, extrasaction="ignore")
        labelled.writeheader()
        rest.writeheader()
        for row in rows:
            if row["record_id"] in sample:
                labelled.writerow(row)
            else:
                rest.writerow(row)
                q.write(f"{topic} 0 {row['record_id']} {row[args.label_column].strip()}\n")
    print(f"split_labelled: {len(sample)} labelled, {len(rows) - len(sample)} to rank", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
