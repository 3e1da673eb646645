#!/usr/bin/env bash
# Benchmarks the engine on generated journeys of about 100k and 1M events:
# the native CLI (hyperfine when installed, else timed runs) and the wasm
# build in headless Chromium inside a Web Worker. Also measures memory: the
# native peak resident set size in separate, untimed runs, and the wasm linear
# memory and worker JS heap in the browser runs. Writes medians, events per
# second and bytes per event to docs/BENCHMARKS.md. Raw results stay in bench-out/.
# `make bench` runs it after scripts/setup.sh --bench.
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
export PATH="$HOME/.cargo/bin:$PATH"

RUNS="${RUNS:-5}"
SEED="${SEED:-7}"
OUT=bench-out
# The generator writes about 9.7 events per person, so these people counts
# give about 100k and 1M events. The exact counts go into the report.
SIZES=("100k:10200" "1m:102000")
# The same analysis as tools/bench/run.mjs requests from the wasm build.
ANALYZE_FLAGS=(--conversion purchase --funnel session_start,sign_up,add_to_cart,purchase --window 30d --json)

log() { printf 'bench: %s\n' "$*"; }

# Runs a command with its standard output discarded and prints its peak
# resident set size in KiB (ru_maxrss, which Linux reports in KiB). Uses GNU
# time when installed, else Python's os.wait4, which reads the same field.
if /usr/bin/time --version 2>&1 | grep -q 'GNU'; then
  RSS_TOOL="GNU time (/usr/bin/time -f %M)"
  peak_rss_kib() {
    /usr/bin/time -f %M -o "$OUT/time-output.txt" "$@" >/dev/null || return
    tail -n 1 "$OUT/time-output.txt"
  }
else
  RSS_TOOL="Python os.wait4 (ru_maxrss), because GNU time was not installed"
  peak_rss_kib() {
    python3 -c 'import os, subprocess, sys
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
code = os.waitstatus_to_exitcode(status)
if code != 0:
    sys.exit(f"bench: {sys.argv[1]} failed with exit status {code}")
print(usage.ru_maxrss)' "$@"
  }
fi

mkdir -p "$OUT"
log "building the native CLI and the wasm package"
cargo build --release --quiet --bin pathlight
make --no-print-directory wasm
cli="${CARGO_TARGET_DIR:-$repo/target}/release/pathlight"

files=()
for size in "${SIZES[@]}"; do
  label="${size%%:*}"
  people="${size##*:}"
  file="$OUT/journeys-$label.csv"
  log "generating $file from $people people, seed $SEED"
  "$cli" generate --people "$people" --seed "$SEED" >"$file"
  files+=("$file")
done

for file in "${files[@]}"; do
  name="$(basename "$file" .csv)"
  command_line="$cli analyze $file ${ANALYZE_FLAGS[*]}"
  # One untimed run keeps the report, so its funnel can be compared with the wasm build's.
  "$cli" analyze "$file" "${ANALYZE_FLAGS[@]}" >"$OUT/native-$name-report.json"
  log "native: $command_line"
  if command -v hyperfine >/dev/null 2>&1; then
    hyperfine --warmup 1 --runs "$RUNS" --export-json "$OUT/native-$name.json" "$command_line"
  else
    log "hyperfine not found, timing $RUNS runs with date"
    seconds=()
    for _ in $(seq "$RUNS"); do
      started=$(date +%s%N)
      "$cli" analyze "$file" "${ANALYZE_FLAGS[@]}" >/dev/null
      seconds+=("$(( $(date +%s%N) - started ))e-9")
    done
    python3 -c 'import json, statistics, sys
times = [float(value) for value in sys.argv[2:]]
json.dump({"results": [{"command": "timed with date", "median": statistics.median(times), "times": times}]}, open(sys.argv[1], "w"))' \
      "$OUT/native-$name.json" "${seconds[@]}"
  fi

  # Separate runs, so the timings above carry no cost of measuring memory.
  log "native memory: $RUNS runs with $RSS_TOOL"
  peaks_kib=()
  for _ in $(seq "$RUNS"); do
    # A plain assignment, so set -e stops the script when the run fails.
    peak_kib="$(peak_rss_kib "$cli" analyze "$file" "${ANALYZE_FLAGS[@]}")"
    peaks_kib+=("$peak_kib")
  done
  log "native peak RSS in KiB: ${peaks_kib[*]}"
  python3 -c 'import json, statistics, sys
peaks = [int(value) for value in sys.argv[3:]]
json.dump({"tool": sys.argv[2], "peak_rss_kib": peaks, "median_kib": statistics.median(peaks)}, open(sys.argv[1], "w"))' \
    "$OUT/native-$name-memory.json" "$RSS_TOOL" "${peaks_kib[@]}"
done
rm -f "$OUT/time-output.txt"

log "browser: node tools/bench/run.mjs --runs $RUNS ${files[*]}"
node tools/bench/run.mjs --runs "$RUNS" --out "$OUT/browser.json" "${files[@]}"

python3 tools/bench/report.py "$OUT" "$RUNS" "$SEED" "${ANALYZE_FLAGS[*]}" >docs/BENCHMARKS.md
log "wrote docs/BENCHMARKS.md"
cat docs/BENCHMARKS.md
