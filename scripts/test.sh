#!/usr/bin/env bash
# Runs every test stage in order, each under a banner, and ends with a table
# of results and one line counting passed, failed and skipped stages.
# A failed stage does not stop the later ones, but the exit status is 1.
# Expects the tools from scripts/setup.sh (`make test` runs it first).
set -uo pipefail

cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"

# Generous on purpose, because a first run compiles every dependency on 2
# cores. The limit is there so that a hung browser cannot use up CI's 90 minutes.
STAGE_TIMEOUT="${STAGE_TIMEOUT:-30m}"

stage_names=()
stage_results=()
stage_seconds=()
stage_log="$(mktemp)"
trap 'rm -f "$stage_log"' EXIT

banner() {
  printf '\n==== %s ====\n' "$*"
}

record() {
  stage_names+=("$1")
  stage_results+=("$2")
  stage_seconds+=("$3")
  printf -- '---- %s: %s (%ss)\n' "$1" "$2" "$3"
}

# Runs one stage command under the timeout and records passed or failed,
# or skipped when it succeeds after printing a line "NAME: skipped, REASON".
run_stage() {
  local name=$1
  shift
  banner "$name: $*"
  local started=$SECONDS
  timeout --foreground "$STAGE_TIMEOUT" "$@" 2>&1 | tee "$stage_log"
  local status=${PIPESTATUS[0]}
  if [ "$status" -eq 124 ]; then
    echo "$name: timed out after $STAGE_TIMEOUT"
  fi
  local skip_line
  skip_line=$(grep -m1 "^$name: skipped, " "$stage_log" || true)
  if [ "$status" -eq 0 ] && [ -n "$skip_line" ]; then
    record "$name" "skipped (${skip_line#"$name: skipped, "})" $((SECONDS - started))
  elif [ "$status" -eq 0 ]; then
    record "$name" passed $((SECONDS - started))
  else
    record "$name" "failed (exit $status)" $((SECONDS - started))
  fi
}

skip_stage() {
  banner "$1"
  echo "$1: skipped, $2"
  record "$1" "skipped ($2)" 0
}

last_result() {
  echo "${stage_results[${#stage_results[@]}-1]}"
}

run_stage native cargo test --color never

if [ -f tests/wasm.rs ]; then
  run_stage wasm wasm-pack test --headless --chrome -- --test wasm
else
  skip_stage wasm "tests/wasm.rs not found"
fi

run_stage build make --no-print-directory wasm www
build_result=$(last_result)

if ! compgen -G 'tests/e2e/*.mjs' >/dev/null && ! compgen -G 'tests/e2e/*.js' >/dev/null; then
  skip_stage e2e "no test files in tests/e2e/"
elif [ "$build_result" != passed ]; then
  banner e2e
  echo "e2e: not run, because the build stage failed"
  record e2e "failed (build failed)" 0
else
  run_stage e2e node --test tests/e2e/
  # Node 20 runs only files named like *.test.mjs from a folder and passes
  # with zero tests, so a misnamed file would otherwise look like a pass.
  if grep -q '^# tests 0$' "$stage_log"; then
    echo "e2e: no test ran, so the stage counts as failed. Name the files in tests/e2e/ *.test.mjs or *.test.js."
    stage_results[${#stage_results[@]}-1]="failed (no test ran)"
  fi
fi

run_stage acceptance bash tools/acceptance.sh

passed=0
failed=0
skipped=0
banner summary
for i in "${!stage_names[@]}"; do
  printf '  %-11s %-34s %6ss\n' "${stage_names[$i]}" "${stage_results[$i]}" "${stage_seconds[$i]}"
  case "${stage_results[$i]}" in
    passed) passed=$((passed + 1)) ;;
    skipped*) skipped=$((skipped + 1)) ;;
    *) failed=$((failed + 1)) ;;
  esac
done
echo "stages: $passed passed, $failed failed, $skipped skipped"

[ "$failed" -eq 0 ]
