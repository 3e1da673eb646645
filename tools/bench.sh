#!/usr/bin/env bash
# Benchmarks Pathlight against its peers on generated journeys of about 100k,
# 1M and 10M events, all in one run, and writes docs/BENCHMARKS.md.
#
# Runners on the same files: the native CLI, and the wasm build in headless
# Chromium inside a Web Worker. The peers are DuckDB (PyPI) running
# tools/bench/duckdb_job.sql with one thread and with all cores, pm4py (PyPI)
# for the directly-follows graph and variants, and DuckDB-wasm (npm) running
# the same SQL in the same Chromium. Each
# process runner is timed with tools/bench/measure.py, which also reads its
# peak RSS. The browser runners go through tools/bench/run.mjs. Also measures
# `analyze` after an option change at 1M and the page's bundle size gzipped,
# and Pathlight alone on the 1M journeys with tracking URLs on their landing pages.
# Raw results stay in bench-out/. `make bench` runs it after
# scripts/setup.sh --bench, which installs the peers.
#
# Variables:
#   BENCH_SIZES  which inputs to run, from "100k 1m 10m" (default: all three)
#   RUNS         timed runs per runner at 100k and 1M (default 5)
#   LARGE_RUNS   timed runs per runner at 10M (default 3)
#   PM4PY_LARGE_RUNS  timed pm4py runs at 10M, which take minutes each (default 1)
#   SEED         generator seed (default 7)
#   KEEP_DATA    1 keeps the 10M file (about 650 MB) in bench-out/ afterwards
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
export PATH="$HOME/.cargo/bin:$PATH"

RUNS="${RUNS:-5}"
LARGE_RUNS="${LARGE_RUNS:-3}"
PM4PY_LARGE_RUNS="${PM4PY_LARGE_RUNS:-1}"
SEED="${SEED:-7}"
BENCH_SIZES="${BENCH_SIZES:-100k 1m 10m}"
OUT=bench-out
PYTHON="$OUT/venv/bin/python"
# The option changes of tools/bench/run.mjs, and its reads in parallel, are timed on this input.
CHANGES_ON=journeys-1m.csv
# The same analysis as tools/bench/run.mjs requests from the wasm build.
ANALYZE_FLAGS=(--conversion purchase --funnel session_start,sign_up,add_to_cart,purchase --window 30d --json)

log() { printf 'bench: %s\n' "$*"; }

# The generator writes about 9.75 events per person, so these people counts
# give about 100k, 1M and 10M events. The exact counts go into the report.
people_for() {
  case "$1" in
    100k) echo 10200 ;;
    1m) echo 102000 ;;
    10m) echo 1020000 ;;
    *) printf 'bench: BENCH_SIZES has %s, which is not one of 100k, 1m, 10m.\n' "$1" >&2; exit 2 ;;
  esac
}

for size in $BENCH_SIZES; do people_for "$size" >/dev/null; done
if [ ! -x "$PYTHON" ]; then
  log "$PYTHON not found. Run scripts/setup.sh --bench first (make bench does)."
  exit 2
fi

mkdir -p "$OUT"
rm -f "$OUT"/native-*.json "$OUT"/duckdb-*.json "$OUT"/pm4py-*.json "$OUT"/browser-*.json "$OUT"/bundle*.tsv "$OUT"/tracking-pages.json
printf '%s\n' $BENCH_SIZES >"$OUT/sizes.txt"

log "building the native CLI, the wasm package and the page's bundled scripts"
cargo build --release --quiet --bin pathlight
make --no-print-directory wasm www
cli="${CARGO_TARGET_DIR:-$repo/target}/release/pathlight"

# Gzipped size of what the page loads: the wasm module, its JS glue and the
# page's own scripts (www/vendor.js is only esbuild's entry point).
log "bundle size, each file with gzip -9"
for file in www/pkg/*.wasm www/pkg/*.js www/*.js www/views/*.js www/build/*.js; do
  [ "$file" = www/vendor.js ] && continue
  printf '%s\t%s\t%s\n' "$file" "$(wc -c <"$file")" "$(gzip -9 -c "$file" | wc -c)" >>"$OUT/bundle.tsv"
done

write_report() {
  python3 tools/bench/report.py "$OUT" "$RUNS" "$LARGE_RUNS" "$PM4PY_LARGE_RUNS" "$SEED" "${ANALYZE_FLAGS[*]}" >docs/BENCHMARKS.md
}

for size in $BENCH_SIZES; do
  people="$(people_for "$size")"
  name="journeys-$size"
  file="$OUT/$name.csv"
  runs="$RUNS"
  pm4py_runs="$RUNS"
  warmup=1
  if [ "$size" = 10m ]; then
    runs="$LARGE_RUNS"
    pm4py_runs="$PM4PY_LARGE_RUNS"
    warmup=0
  fi

  log "generating $file from $people people, seed $SEED"
  "$cli" generate --people "$people" --seed "$SEED" >"$file"

  log "$name: native CLI, $runs runs"
  python3 tools/bench/measure.py --runs "$runs" --warmup "$warmup" --keep-stdout "$OUT/native-$name-report.json" \
    --out "$OUT/native-$name.json" -- "$cli" analyze "$file" "${ANALYZE_FLAGS[@]}"

  for threads in 1 "$(nproc)"; do
    log "$name: DuckDB with $threads thread(s), $runs runs"
    python3 tools/bench/measure.py --runs "$runs" --warmup "$warmup" --out "$OUT/duckdb-$threads-$name.json" \
      -- "$PYTHON" tools/bench/peers.py duckdb "$file" --threads "$threads"
  done

  log "$name: pm4py, $pm4py_runs runs"
  python3 tools/bench/measure.py --runs "$pm4py_runs" --out "$OUT/pm4py-$name.json" \
    -- "$PYTHON" tools/bench/peers.py pm4py "$file"

  log "$name: Pathlight wasm in Chromium, $runs runs"
  node tools/bench/run.mjs --engine pathlight --runs "$runs" --changes-on "$CHANGES_ON" --parallel-on "$CHANGES_ON" \
    --out "$OUT/browser-pathlight-$name.json" "$file"
  log "$name: DuckDB-wasm in Chromium, $runs runs"
  node tools/bench/run.mjs --engine duckdb-wasm --runs "$runs" --out "$OUT/browser-duckdb-$name.json" "$file"
  if [ ! -f "$OUT/bundle-duckdb-wasm.tsv" ]; then
    # The same gzip -9 measure for what the DuckDB-wasm page loads.
    duckdb_dist=tools/bench/duckdb-wasm/node_modules/@duckdb/duckdb-wasm/dist
    for peer_file in "$duckdb_dist/duckdb-eh.wasm" "$duckdb_dist/duckdb-browser-eh.worker.js" "$OUT/site/duckdb-bundle.js"; do
      printf '%s\t%s\t%s\n' "$peer_file" "$(wc -c <"$peer_file")" "$(gzip -9 -c "$peer_file" | wc -c)" >>"$OUT/bundle-duckdb-wasm.tsv"
    done
  fi

  # The report so far, so a run stopped during a later size keeps these numbers.
  write_report
  if [ "$size" = 10m ] && [ "${KEEP_DATA:-0}" != 1 ]; then
    rm -f "$file"
  fi
done

# The 1M-event journeys again, with the query strings of real analytics exports on each session's
# landing page (`generate --tracking-urls`): about 72k distinct pages instead of 15. Only
# Pathlight runs it, to show what such a page column costs next to journeys-1m.csv.
if [[ " $BENCH_SIZES " == *" 1m "* ]]; then
  name=journeys-1m-tracking
  file="$OUT/$name.csv"
  log "generating $file from $(people_for 1m) people, seed $SEED, with tracking URLs"
  "$cli" generate --people "$(people_for 1m)" --seed "$SEED" --tracking-urls >"$file"
  printf '{"distinct_pages": %s}\n' "$(tail -n +2 "$file" | cut -d, -f5 | sort -u | wc -l)" >"$OUT/tracking-pages.json"
  log "$name: native CLI, $RUNS runs"
  python3 tools/bench/measure.py --runs "$RUNS" --warmup 1 --out "$OUT/native-$name.json" \
    -- "$cli" analyze "$file" "${ANALYZE_FLAGS[@]}"
  log "$name: Pathlight wasm in Chromium, $RUNS runs"
  node tools/bench/run.mjs --engine pathlight --runs "$RUNS" --out "$OUT/browser-pathlight-$name.json" "$file"
fi

write_report
log "wrote docs/BENCHMARKS.md"
cat docs/BENCHMARKS.md
