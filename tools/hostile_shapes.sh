#!/usr/bin/env bash
# Runs the hostile input shapes at full size through the release CLI and
# prints, for each, the exit status, wall time, peak resident set size, the
# size of the JSON report and the first line of any error. Also measures the
# memory per event on generated journeys of about 100k and 1M events.
#
# The shapes are generated into a temporary folder (about 500 MB, removed at
# the end) with awk, head and tr, so no data file is committed. The smaller
# versions of the same shapes are tests/hostile_shapes.rs; this script is for
# the figures in docs/limits.md. Needs GNU time at /usr/bin/time.
#
#   tools/hostile_shapes.sh            # build the release CLI, then run all
#   KEEP=1 tools/hostile_shapes.sh     # keep the generated files
set -euo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
cd "$repo"
export PATH="$HOME/.cargo/bin:$PATH"

if ! /usr/bin/time --version 2>&1 | grep -q GNU; then
  echo "hostile_shapes: GNU time is missing at /usr/bin/time; install the Debian package 'time'." >&2
  exit 1
fi

cargo build --release --quiet
cli="$repo/target/release/pathlight"
work="$(mktemp -d)"
if [ -z "${KEEP:-}" ]; then
  trap 'rm -rf "$work"' EXIT
else
  echo "hostile_shapes: keeping the files in $work"
fi

# Writes `count` bytes of the character `char` to standard output.
repeat() { head -c "$2" /dev/zero | tr '\0' "$1"; }

generate() {
  # A million rows, each with its own URL-like event name, over 1,000 people.
  awk 'BEGIN { print "user_id,timestamp,event"; for (i = 0; i < 1000000; i++)
    printf "u%d,2024-01-%02dT%02d:%02d:%02dZ,/page/%d?ref=%d\n", i % 1000, 1 + int(i / 86400) % 28, int(i / 3600) % 24, int(i / 60) % 60, i % 60, i, i * 7 }' \
    > "$work/distinct-rows.csv"
  # 200,000 people with five events each, every event name unique.
  awk 'BEGIN { print "user_id,timestamp,event,channel"; for (p = 0; p < 200000; p++) for (k = 0; k < 5; k++) {
    s = p + k * 60; printf "p%d,2024-01-%02dT%02d:%02d:%02dZ,evt_%d_%d,ch%d\n", p, 1 + int(s / 86400) % 28, int(s / 3600) % 24, int(s / 60) % 60, s % 60, p, k, (p * 5 + k) % 4000 } }' \
    > "$work/distinct-people.csv"
  # One field of 100 MB, quoted and unquoted.
  { printf 'user_id,timestamp,event,note\nu1,2024-01-01T00:00:00Z,a,"'; repeat x 100000000; printf '"\nu1,2024-01-01T00:01:00Z,b,ok\n'; } > "$work/field-quoted.csv"
  { printf 'user_id,timestamp,event,note\nu1,2024-01-01T00:00:00Z,a,'; repeat x 100000000; printf '\nu1,2024-01-01T00:01:00Z,b,ok\n'; } > "$work/field-unquoted.csv"
  # Ten million quote characters: five million doubled quotes in one quoted field.
  { printf 'user_id,timestamp,event,note\nu1,2024-01-01T00:00:00Z,a,"'; repeat '"' 10000000; printf '"\nu1,2024-01-01T00:01:00Z,b,ok\n'; } > "$work/doubled-quotes.csv"
  # A quote opened at row 2 and never closed, before a million rows.
  awk 'BEGIN { print "user_id,timestamp,event"; print "u0,2024-01-01T00:00:00Z,\"oops"; for (i = 0; i < 1000000; i++)
    printf "u%d,2024-01-%02dT%02d:%02d:%02dZ,view\n", i % 500, 1 + int(i / 86400) % 28, int(i / 3600) % 24, int(i / 60) % 60, i % 60 }' \
    > "$work/runaway-quote.csv"
  # Quotes inside unquoted fields, 100,000 rows.
  awk 'BEGIN { print "user_id,timestamp,event"; for (i = 0; i < 100000; i++)
    printf "u%d,2024-01-%02dT%02d:%02d:%02dZ,say \"hi\" %d\n", i % 500, 1 + int(i / 86400) % 28, int(i / 3600) % 24, int(i / 60) % 60, i % 60, i % 10 }' \
    > "$work/inner-quotes.csv"
  # A header of 100,000 columns, and a data row with 1,000,000 delimiters.
  awk 'BEGIN { printf "user_id,timestamp,event"; for (c = 0; c < 100000; c++) printf ",c%d", c; print ""; print "u1,2024-01-01T00:00:00Z,view" }' \
    > "$work/wide-header.csv"
  { printf 'user_id,timestamp,event\nu1,2024-01-01T00:00:00Z,a\nu1,2024-01-01T00:01:00Z,b'; repeat , 1000000; printf '\nu2,2024-01-01T00:02:00Z,c\n'; } > "$work/wide-row.csv"
  # One line of 50 MB with no newline.
  { printf 'user_id,timestamp,event,'; repeat , 50000000; } > "$work/one-line.csv"
}

# Prints one table row: file, size, exit status, time, peak RSS, report size, error.
measure() {
  local file="$1"
  shift
  local size status=0 report_bytes error seconds kib
  size=$(stat -c %s "$work/$file")
  /usr/bin/time -o "$work/time.txt" -f '%e %M' "$cli" analyze "$work/$file" "$@" --json > "$work/report.json" 2> "$work/stderr.txt" || status=$?
  # GNU time writes "Command exited with non-zero status N" before the figures.
  read -r seconds kib < <(tail -n 1 "$work/time.txt")
  report_bytes=$(stat -c %s "$work/report.json")
  error=$(grep -v '^Command exited' "$work/stderr.txt" | head -n 1 | cut -c 1-160 || true)
  printf '| %s | %s | %s | %s s | %s MiB | %s | %s |\n' "$file" "$size" "$status" "$seconds" "$((kib / 1024))" "$report_bytes" "${error:-}"
}

echo "hostile_shapes: generating the shapes in $work" >&2
generate
echo
echo "| file | bytes | exit status | time | peak RSS | report bytes | first error line |"
echo "| --- | ---: | ---: | ---: | ---: | ---: | --- |"
for file in distinct-rows.csv distinct-people.csv field-quoted.csv field-unquoted.csv doubled-quotes.csv \
  runaway-quote.csv inner-quotes.csv wide-header.csv wide-row.csv one-line.csv; do
  measure "$file"
done

echo
echo "Memory per event on generated journeys (pathlight generate --seed 7):"
echo
echo "| people | events | file bytes | time | peak RSS | bytes per event |"
echo "| ---: | ---: | ---: | ---: | ---: | ---: |"
for people in 10200 102000; do
  "$cli" generate --people "$people" --seed 7 > "$work/journeys.csv"
  events=$(($(wc -l < "$work/journeys.csv") - 1))
  size=$(stat -c %s "$work/journeys.csv")
  /usr/bin/time -o "$work/time.txt" -f '%e %M' "$cli" analyze "$work/journeys.csv" --conversion purchase \
    --funnel session_start,sign_up,add_to_cart,purchase --window 30d --json > /dev/null
  read -r seconds kib < <(tail -n 1 "$work/time.txt")
  printf '| %s | %s | %s | %s s | %s MiB | %s |\n' "$people" "$events" "$size" "$seconds" "$((kib / 1024))" "$((kib * 1024 / events))"
done
