#!/usr/bin/env bash
# The main job end to end on the public copies in ../shared/corpora (or the mirror given as $1):
# set up, build csmed, build the meta-dataset, train a bi-encoder screener (MiniLM + LoRA) on some
# reviews, rank reviews it has never seen beside the zero-shot, BM25 and TF-IDF rankers, evaluate
# them side by side, train the recommended screener on a quarter of one review's labels (an
# exported file, as a reviewer would) and rank the rest against the zero-shot ranker, and replay
# prioritised screening with stopping rules. About 15 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
mirror=${1:-../shared/corpora}
scripts/setup.sh
swift build -c release --product csmed
bin=.build/release/csmed
db=data/csmed.sqlite
out=data/demo
mkdir -p "$out"
$bin build --mirror "$mirror" --db "$db"
$bin stats --db "$db"

# Learn from Cohen 2006 and Hannousse; keep the epoch that ranks three CLEF 2017 reviews best
# (epoch 0 is the untuned model, so fine-tuning is kept only if it helps there).
train="collection:cohen2006,collection:hannousse"
valid="review:clef_tar2017/CD010705+clef_tar2017/CD008760+clef_tar2017/CD010542"
$bin train --db "$db" --train "$train" --valid "$valid" --model bi-encoder --adapter lora --rank 8 \
  --lr 2e-4 --hard-negatives 3 --batch 8 --max-len 128 --max-steps 30 --output "$out/bi-encoder-lora"
$bin train --db "$db" --train "$train" --valid "$valid" --model tfidf-lr --output "$out/tfidf-lr"

# Rank two reviews none of the screeners has seen, with every ranker, and evaluate side by side.
for review in sas2010/copd clef_tar2017/CD009135; do
  name=${review//\//-}
  # The page to screen from: the records in rank order, the stop line for recall 0.95, the recall curve.
  $bin screen --db "$db" --review "$review" --model "$out/bi-encoder-lora" --target-recall 0.95 -o "$out/$name-bi-encoder-lora.csv" \
    --html "$out/$name-screen.html"
  $bin screen --db "$db" --review "$review" --zero-shot embed --max-len 128 -o "$out/$name-zero-shot-embed.csv"
  $bin screen --db "$db" --review "$review" --zero-shot bm25 -o "$out/$name-bm25.csv"
  $bin screen --db "$db" --review "$review" --model "$out/tfidf-lr" -o "$out/$name-tfidf-lr.csv"
  echo "== $review"
  $bin eval --db "$db" --k 100,500 --plot "$out/$name.svg" \
    --run "$out/$name-bi-encoder-lora.csv" --run "$out/$name-zero-shot-embed.csv" \
    --run "$out/$name-bm25.csv" --run "$out/$name-tfidf-lr.csv"
done

# Within a review: a stratified quarter of each review is what the reviewer has screened; every
# ranker learns from that quarter and ranks the other three (`train --input` trains the same
# tfidf-embed-lr on a reviewer's own export). The table: WSS@95, AP, ROC AUC per ranker.
$bin experiment within --db "$db" --reviews "review:sas2010/copd+clef_tar2017/CD009135" \
  --rankers zero-shot,tfidf-lr,tfidf-embed-lr --seeds 1 --embedding-cache data/cache/embeddings \
  --markdown "$out/within-review.md"

# A reviewer's own labels, end to end: a stratified quarter of COPD, exported as a labelled file,
# trains the recommended screener (`train --input`, tfidf-embed-lr); it and the zero-shot ranker
# rank the other three quarters, which neither has seen, and `eval` compares them there (the
# table, and the recall curves in copd-rest.svg).
$bin export --db "$db" --review sas2010/copd -o "$out/copd.csv"
python3 scripts/split_labelled.py "$out/copd.csv" --fraction 0.25 --seed 42 \
  --labelled "$out/copd-quarter.csv" --rest "$out/copd-rest.csv" --qrels "$out/copd-rest.qrels"
copd_title="Chronic obstructive pulmonary disease (COPD)"
$bin train --input "$out/copd-quarter.csv" --review-title "$copd_title" --output "$out/copd-screener"
$bin screen --model "$out/copd-screener" --input "$out/copd-rest.csv" --review-title "$copd_title" \
  -o "$out/copd-rest-screener.csv" --html "$out/copd-rest-screen.html"
$bin screen --zero-shot embed --input "$out/copd-rest.csv" --review-title "$copd_title" -o "$out/copd-rest-zero-shot.csv"
echo "== sas2010/copd, the three quarters not labelled"
$bin eval --qrels "$out/copd-rest.qrels" --k 100,300 --plot "$out/copd-rest.svg" \
  --run "$out/copd-rest-screener.csv" --run "$out/copd-rest-zero-shot.csv"

# Replay prioritised screening with ASReview's default model, then with csmed's recommended one
# (TF-IDF and MiniLM embeddings side by side, warm-started by the zero-shot ranking), and check
# the stopping rules of each.
$bin simulate --db "$db" --review sas2010/copd --model tfidf-svm -o "$out/copd-simulation.csv"
$bin simulate --db "$db" --review sas2010/copd --model tfidf-embed-lr --warm-start zero-shot \
  --embedding-cache data/cache/embeddings -o "$out/copd-simulation-embed.csv"
echo "demo: wrote $db and $out/ (screeners, rankings, screening pages, recall plots, the within-review table and the COPD screener trained on a quarter of its labels, simulation)" >&2
