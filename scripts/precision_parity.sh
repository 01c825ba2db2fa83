#!/usr/bin/env bash
# int8 against fp32 on every texted review: the zero-shot ranking (`screen --zero-shot embed`,
# then `eval`: WSS@95 and AP, CLEF convention) and `simulate --warm-start zero-shot` with each
# embedding model (WSS@95, simulate's convention). Prints a Markdown table and the macro averages.
#   scripts/precision_parity.sh [DB] [MODELS]     (MODELS default "embed-lr tfidf-embed-lr")
# Embeddings are cached per precision under data/cache/embeddings (the simulate runs share them).
set -euo pipefail
cd "$(dirname "$0")/.."
db=${1:-data/csmed.sqlite}
models=${2:-embed-lr tfidf-embed-lr}
csmed=${CSMED:-.build/release/csmed}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
reviews=$(sqlite3 "$db" "SELECT r.collection_id || '/' || r.source_review_id FROM review r
  WHERE r.collection_id IN ('cohen2006','sas2010','clef_tar2017','hannousse') ORDER BY r.collection_id, r.source_review_id")
header="| review |"
rule="| --- |"
for p in fp32 int8; do header+=" zero-shot WSS@95 $p | AP $p |"; rule+=" ---: | ---: |"; done
for m in $models; do for p in fp32 int8; do header+=" $m $p |"; rule+=" ---: |"; done; done
echo "$header"
echo "$rule"
for review in $reviews; do
  row="| $review |"
  for p in fp32 int8; do
    "$csmed" screen --db "$db" --review "$review" --zero-shot embed --precision "$p" -o "$scratch/run.csv" 2>/dev/null
    row+=$("$csmed" eval --db "$db" --run "$scratch/run.csv" --format csv --recall 0.95 --k 100 2>/dev/null \
      | awk -F, 'NR == 2 { printf " %.4f | %.4f |", $13, $16 }')
  done
  for m in $models; do
    for p in fp32 int8; do
      row+=$("$csmed" simulate --db "$db" --review "$review" --model "$m" --warm-start zero-shot --precision "$p" \
        --embedding-cache data/cache/embeddings 2>/dev/null | awk '$1 == "42" { printf " %.4f |", $3 }')
    done
  done
  echo "$row"
done | tee "$scratch/rows"
awk -F'|' '{ for (i = 3; i < NF; i++) { sum[i] += $i }; n++; cols = NF }
  END { printf "| **macro (%d)** |", n; for (i = 3; i < cols; i++) printf " **%.4f** |", sum[i] / n; print "" }' "$scratch/rows"
