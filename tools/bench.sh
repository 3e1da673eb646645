#!/usr/bin/env bash
# Benchmarks the engine on generated journeys of about 100k and 1M events:
# the native CLI (hyperfine when installed, else timed runs) and the wasm
# build in headless Chromium inside a Web Worker. Writes medians and events
# per second to docs/BENCHMARKS.md. Raw results stay in bench-out/.
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
done

log "browser: node tools/bench/run.mjs --runs $RUNS ${files[*]}"
node tools/bench/run.mjs --runs "$RUNS" --out "$OUT/browser.json" "${files[@]}"

python3 tools/bench/report.py "$OUT" "$RUNS" "$SEED" "${ANALYZE_FLAGS[*]}" >docs/BENCHMARKS.md
log "wrote docs/BENCHMARKS.md"
cat docs/BENCHMARKS.md
