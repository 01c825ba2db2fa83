#!/usr/bin/env bash
# embed-lr with the zero-shot warm start over every texted review; prints review, WSS@95, WSS@100.
#   scripts/simulate_zero_shot.sh [DB] [MODEL]
set -euo pipefail
cd "$(dirname "$0")/.."
db=${1:-data/csmed.sqlite}
model=${2:-embed-lr}
reviews=$(sqlite3 "$db" "SELECT r.collection_id || '/' || r.source_review_id FROM review r
  WHERE r.collection_id IN ('cohen2006','sas2010','clef_tar2017','hannousse') ORDER BY r.collection_id, r.source_review_id")
for review in $reviews; do
  .build/release/csmed simulate --db "$db" --review "$review" --model "$model" --warm-start zero-shot 2>/dev/null \
    | awk -v r="$review" -v m="$model" '$1 == "42" { print r, m, $3, $4, $10 }'
done
