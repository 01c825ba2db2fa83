#!/usr/bin/env bash
# The main job end to end on the public copies in ../shared/corpora (or the mirror given as $1):
# set up, build csmed in release mode, build the meta-dataset, and show what it holds.
set -euo pipefail
cd "$(dirname "$0")/.."
mirror=${1:-../shared/corpora}
scripts/setup.sh
swift build -c release
bin=.build/release/csmed
$bin build --mirror "$mirror" --db data/csmed.sqlite
$bin stats --db data/csmed.sqlite
$bin search --db data/csmed.sqlite --limit 3 'statin* AND myopathy'
$bin export --db data/csmed.sqlite --review sas2010/copd --format qrels -o data/copd.qrels
# Screen a review zero-shot (MiniLM embeddings of its title against every candidate) and evaluate.
$bin screen --zero-shot embed --db data/csmed.sqlite --review sas2010/copd -o data/copd-embed.csv
$bin eval --run data/copd-embed.csv --db data/csmed.sqlite --k 100,500,1000 --plot data/copd-embed.svg
# Replay prioritised screening with ASReview's default model and check the stopping rules.
$bin simulate --db data/csmed.sqlite --review sas2010/copd --model tfidf-svm -o data/copd-simulation.csv
echo "demo: wrote data/csmed.sqlite, data/copd-embed.csv (+ .svg) and data/copd-simulation.csv" >&2
