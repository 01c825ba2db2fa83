#!/usr/bin/env bash
# The test command: builds once, then runs the whole suite under every CKernels variant this CPU
# runs (SSE2 "baseline", AVX2+FMA, AVX-512), so that a result which only holds for the widest
# variant fails here and not on a machine of the other CPU kind. OpenBLAS picks its own kernel;
# nothing here forces it. Extra arguments go to every `swift test` (e.g. --filter Shard).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --build-tests
binary=$(swift build --show-bin-path)/csmed
variants=$("$binary" platform --variants)
"$binary" platform
for variant in $variants; do
  echo "== swift test with CSMED_KERNELS=$variant ==" >&2
  started=$SECONDS
  CSMED_KERNELS=$variant swift test --skip-build "$@"
  echo "== CSMED_KERNELS=$variant passed in $((SECONDS - started)) s ==" >&2
done
# The screening page in a real browser: chromium headless, driven by selenium (scripts/setup.sh
# installs both); the screenshot stays in .build/browser-test/page.png.
echo "== the screening page in chromium (scripts/browser_test.py) ==" >&2
rm -rf .build/browser-test && mkdir -p .build/browser-test
python3 scripts/browser_test.py "$binary" .build/browser-test
# scripts/slurm/screen-array.sbatch for real: a one-node Slurm started here, three shards of a
# Cohen review as a job array and a dependent merge, the merged ranking cmp'd with an unsharded one.
echo "== a Slurm job array and its merge (scripts/slurm/run-local.sh) ==" >&2
if [ -f ../shared/corpora/cohen2006/Triptans.csv ]; then
  status=0
  # A release build: each shard hashes the 90 MB base model for merge's check, which takes a
  # minute in a debug build and a second in release.
  MAX_LEN=32 scripts/slurm/run-local.sh 3 ../shared/corpora/cohen2006/Triptans.csv "Triptans for acute migraine" || status=$?
  if [ $status -eq 77 ]; then echo "== Slurm run skipped: it needs root ==" >&2; elif [ $status -ne 0 ]; then exit $status; fi
else
  echo "== Slurm run skipped: ../shared/corpora/cohen2006/Triptans.csv is not here ==" >&2
fi
# Then every reader's fuzz target for a short fixed time (FUZZ_SECONDS each, default 10; 0 skips),
# so that a reader which starts to crash, hang or throw a foreign error fails here too.
fuzz_seconds=${FUZZ_SECONDS:-10}
if [ "$fuzz_seconds" -gt 0 ]; then
  echo "== fuzzing every reader for $fuzz_seconds s each (scripts/fuzz.sh) ==" >&2
  started=$SECONDS
  scripts/fuzz.sh all "$fuzz_seconds"
  echo "== fuzzing passed in $((SECONDS - started)) s ==" >&2
fi
