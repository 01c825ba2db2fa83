#!/usr/bin/env bash
# Fuzzes every reader of outside input with libFuzzer + AddressSanitizer (UndefinedBehavior
# checks, trapping, over the C targets): builds csmed-fuzz into .build/fuzz, then runs each
# target for SECONDS over a working corpus seeded from fuzz/seeds/TARGET, with its dictionary
# fuzz/dicts/TARGET.dict. A crash, a hang (over 1 s on an input of up to 64 KiB) or a memory
# blow-up (a single allocation over 256 MB) stops the target, keeps the input under
# .build/fuzz/artifacts/TARGET/ and fails the script.
#   scripts/fuzz.sh                 # every target, 600 s each
#   scripts/fuzz.sh ris 60          # one target
#   JOBS=2 scripts/fuzz.sh all 600  # two targets at a time
# Prints per target libFuzzer's last status line (execs/s, cov:, ft:) and a summary.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${1:-all}
seconds=${2:-600}
jobs=${JOBS:-1}
scratch=.build/fuzz
swift build -c release --scratch-path "$scratch" --product csmed-fuzz \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xswiftc -use-ld=lld \
  -Xcc -fsanitize=fuzzer-no-link,address,undefined -Xcc -fsanitize-trap=undefined >&2
binary=$scratch/release/csmed-fuzz
if [ "$target" = all ]; then targets=$("$binary" --list | awk '{print $1}'); else targets=$target; fi

run_one() {
  local t=$1
  local corpus=$scratch/corpus/$t artifacts=$scratch/artifacts/$t log=$scratch/logs/$t.log
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
  local dict=()
  [ -f "fuzz/dicts/$t.dict" ] && dict=(-dict="fuzz/dicts/$t.dict")
  local status=0
  CSMED_FUZZ_TARGET=$t ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1 "$binary" "$corpus" "fuzz/seeds/$t" \
    -max_total_time="$seconds" -timeout=1 -max_len=65536 -malloc_limit_mb=256 -rss_limit_mb=2048 \
    -artifact_prefix="$artifacts/" -print_final_stats=1 "${dict[@]}" > "$log" 2>&1 || status=$?
  local last
  last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  local rate
  rate=$(grep -E '^stat::average_exec_per_sec' "$log" | awk '{print $2}' || true)
  if [ $status -eq 0 ]; then
    echo "$t: ok, ${rate:-?} execs/s, $last"
  else
    echo "$t: FAILED (status $status), see $log and $artifacts; $last"
  fi
  return $status
}

failed=0
pids=()
for t in $targets; do
  if [ "$jobs" -gt 1 ]; then
    run_one "$t" &
    pids+=($!)
    if [ ${#pids[@]} -ge "$jobs" ]; then wait "${pids[0]}" || failed=1; pids=("${pids[@]:1}"); fi
  else
    run_one "$t" || failed=1
  fi
done
for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
exit $failed
