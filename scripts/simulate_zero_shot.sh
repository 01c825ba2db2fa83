#!/usr/bin/env bash
# csmed simulate --warm-start zero-shot over every texted review; prints review, model, WSS@95, WSS@100, seconds.
#   scripts/simulate_zero_shot.sh [DB] [MODEL] [extra simulate flags...]
# Embeddings are kept in data/cache/embeddings, so a second sweep does not embed again.
set -euo pipefail
cd "$(dirname "$0")/.."
db=${1:-data/csmed.sqlite}
model=${2:-embed-lr}
shift $(( $# < 2 ? $# : 2 ))
csmed=${CSMED:-.build/release/csmed}
reviews=$(sqlite3 "$db" "SELECT r.collection_id || '/' || r.source_review_id FROM review r
  WHERE r.collection_id IN ('cohen2006','sas2010','clef_tar2017','hannousse') ORDER BY r.collection_id, r.source_review_id")
for review in $reviews; do
  "$csmed" simulate --db "$db" --review "$review" --model "$model" --warm-start zero-shot \
    --embedding-cache data/cache/embeddings "$@" 2>/dev/null \
    | awk -v r="$review" -v m="$model" '$1 == "42" { print r, m, $3, $4, $10 }'
done
