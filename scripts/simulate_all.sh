#!/usr/bin/env bash
# Runs `csmed simulate` for every model over the reviews of the meta-dataset that have text
# (Cohen TA labels, SAS2010 COPD, CLEF TAR 2017, Hannousse) and prints a Markdown table of
# WSS@95 (asreview-insights' convention) and each stopping rule's recall and work saved.
#   scripts/simulate_all.sh [DB] > docs/results-table.md
#   MODELS="tfidf-embed-lr embed-lr" WARM=zero-shot scripts/simulate_all.sh   # the embedding models
#   COLLECTIONS="hannousse" MODELS=bi-encoder WARM=zero-shot scripts/simulate_all.sh   # one collection
# Embeddings are kept in data/cache/embeddings.
set -euo pipefail
cd "$(dirname "$0")/.."
db=${1:-data/csmed.sqlite}
bin=${CSMED:-.build/release/csmed}
models=${MODELS:-tfidf-svm tfidf-nb tfidf-lr}
collections=${COLLECTIONS:-cohen2006 sas2010 clef_tar2017 hannousse}
quoted=$(printf "'%s'," $collections)
reviews=$(sqlite3 "$db" "SELECT r.collection_id || '/' || r.source_review_id FROM review r
  WHERE r.collection_id IN (${quoted%,}) ORDER BY r.collection_id, r.source_review_id")
echo "| review | model | WSS@95 | WSS@100 | loss | knee recall / saved | budget | target:10 | hypergeometric | consecutive:100 | seconds |"
echo "| --- | --- | ---: | ---: | ---: | --- | --- | --- | --- | --- | ---: |"
for review in $reviews; do
  for model in $models; do
    # Hannousse lists every included record before the excluded ones: file order would leak labels.
    warm=file-order; case $review in hannousse/*) warm=random ;; esac
    warm=${WARM:-$warm}
    out=$($bin simulate --db "$db" --review "$review" --model "$model" --warm-start "$warm" \
      --embedding-cache data/cache/embeddings 2>/dev/null)
    metrics=$(echo "$out" | awk '$1 == "42" { print $3 " | " $4 " | " $8 " | " $10 }')
    rule() { echo "$out" | awk -v r="$1" '$1 == r { printf "%s / %s", $4, $5 }'; }
    IFS='|' read -r wss95 wss100 loss seconds <<< "$metrics"
    echo "| $review | $model | $wss95 | $wss100 | $loss | $(rule knee) | $(rule budget) | $(rule target:10) | $(rule hypergeometric:0.95) | $(rule consecutive:100) | $seconds |"
  done
done
