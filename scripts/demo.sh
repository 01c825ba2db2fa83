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
# Evaluate a ranking: the SAS2010 COPD candidates in source order, against the meta-dataset's labels.
awk -F' ' 'BEGIN { print "review_id,document_id,rank,score" } { printf "sas2010/copd,%s,%d,%f\n", $3, NR, 1 / NR }' data/copd.qrels > data/copd-source-order.csv
$bin eval --run data/copd-source-order.csv --db data/csmed.sqlite --k 100,500,1000 --plot data/copd-source-order.svg
echo "demo: wrote data/csmed.sqlite, data/copd.qrels and data/copd-source-order.svg" >&2
