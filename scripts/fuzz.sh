#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/ for FUZZ_SECONDS each (default 600), one after the other,
# at low priority. Each target starts from its committed corpus (fuzz/corpus/<target>) and its
# hand-made seeds (fuzz/seeds/<target>), and new inputs go into the corpus. A crash stops the
# run and leaves the input in fuzz/artifacts/<target>/.
# Usage: bash scripts/fuzz.sh [target ...]   (all targets when none is named)
# FUZZ_TIMEOUT (default 10) is the number of seconds after which one input counts as a hang.
# FUZZ_LEN_CONTROL=0 lets mutations reach the 16 KiB length limit at once, instead of raising the
# limit slowly from the shortest inputs at the start of every run (libFuzzer's -len_control).
# A target with a dictionary, fuzz/<target>.dict, gets it with -dict.
set -euo pipefail

cd "$(dirname "$0")/../fuzz"
export PATH="$HOME/.cargo/bin:$PATH"

seconds="${FUZZ_SECONDS:-600}"
timeout="${FUZZ_TIMEOUT:-10}"
if [ $# -gt 0 ]; then
  targets=("$@")
else
  targets=(read_file timestamp setup_json options_json)
fi
mkdir -p logs

for target in "${targets[@]}"; do
  mkdir -p "corpus/$target"
  extra=()
  if [ -f "$target.dict" ]; then
    extra+=(-dict="$target.dict")
  fi
  if [ -n "${FUZZ_LEN_CONTROL:-}" ]; then
    extra+=(-len_control="$FUZZ_LEN_CONTROL")
  fi
  echo "fuzz: $target for ${seconds}s (log: fuzz/logs/$target.log)"
  # -timeout: an input that takes longer than this counts as a hang and stops the run.
  # -max_len: inputs of at most 16 KiB, so that each load and analysis stays fast.
  nice -n 10 cargo +nightly fuzz run --release "$target" "corpus/$target" "seeds/$target" -- \
    -max_total_time="$seconds" -timeout="$timeout" -max_len=16384 -print_final_stats=1 "${extra[@]}" \
    2>&1 | tee "logs/$target.log" | grep -E '^#[0-9]+ +(INITED|DONE|pulse)|^(stat|Done)|ERROR|panicked|SUMMARY' || true
  if grep -qE 'ERROR: libFuzzer|deadly signal|panicked' "logs/$target.log"; then
    echo "fuzz: $target crashed, hung or ran out of memory. The input is in fuzz/artifacts/$target/." >&2
    exit 1
  fi
done
