#!/usr/bin/env python3
"""Compute golden figures for the permit-receipt event log, independently of the engine.

Reads the CSV with the standard library only and writes the case, event and
variant counts plus a four-step funnel as JSON. The funnel rules:

- Each case's events are sorted by `time:timestamp` converted to UTC. Events
  with equal times keep their order in the file.
- A case reaches step k when some strictly increasing run of positions in its
  sorted journey matches steps 1..k in order. Each event fills at most one
  step, and there is no time window.
- The times between steps come from one matching per case. Every occurrence
  of step 1 starts an attempt that takes, for each next step, the earliest
  later event with that name. The attempt that reaches the most steps wins,
  and the earliest start breaks ties.
- A median is the middle value, or the mean of the two middle values when
  the count is even.

Usage: python3 tools/permit_funnel.py PATH/TO/receipt.csv [OUTPUT.json]
"""

import csv
import json
import statistics
import sys
from datetime import datetime, timezone

CASE_COLUMN = "case:concept:name"
ACTIVITY_COLUMN = "concept:name"
TIME_COLUMN = "time:timestamp"

FUNNEL_STEPS = [
    "Confirmation of receipt",
    "T02 Check confirmation of receipt",
    "T04 Determine confirmation of receipt",
    "T05 Print and send confirmation of receipt",
]

DEFAULT_OUTPUT = "tools/golden/permit_funnel.json"


def parse_utc(text, row_number):
    """Parse an ISO 8601 timestamp that carries an offset and return it in UTC."""
    value = text.strip()
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise SystemExit(f"row {row_number}: invalid timestamp {text!r}, expected ISO 8601 with an offset")
    if parsed.tzinfo is None:
        raise SystemExit(f"row {row_number}: timestamp {text!r} has no UTC offset, so its instant is ambiguous")
    return parsed.astimezone(timezone.utc)


def read_journeys(path):
    """Return the event count and, per case, its activities sorted by UTC time."""
    cases = {}
    events = 0
    with open(path, newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        for column in (CASE_COLUMN, ACTIVITY_COLUMN, TIME_COLUMN):
            if column not in (reader.fieldnames or []):
                raise SystemExit(f"{path}: column {column!r} not found in the header")
        # Rows count as a spreadsheet counts them: the header is row 1.
        for file_position, row in enumerate(reader):
            instant = parse_utc(row[TIME_COLUMN], file_position + 2)
            record = (instant, file_position, row[ACTIVITY_COLUMN])
            cases.setdefault(row[CASE_COLUMN], []).append(record)
            events += 1

    journeys = {}
    for case, records in cases.items():
        # Sorting on (instant, file position) keeps file order for equal times.
        records.sort(key=lambda record: (record[0], record[1]))
        journeys[case] = [(instant, activity) for instant, _, activity in records]
    return events, journeys


def match_from(journey, start):
    """Return the positions matched greedily from the step-1 event at `start`."""
    positions = [start]
    cursor = start + 1
    for step in FUNNEL_STEPS[1:]:
        while cursor < len(journey) and journey[cursor][1] != step:
            cursor += 1
        if cursor == len(journey):
            break
        positions.append(cursor)
        cursor += 1
    return positions


def best_match(journey):
    """Return the positions of the attempt that reaches the max steps, earliest start first."""
    best = []
    for start, (_, activity) in enumerate(journey):
        if activity != FUNNEL_STEPS[0]:
            continue
        attempt = match_from(journey, start)
        if len(attempt) > len(best):
            best = attempt
    return best


def milliseconds_between(earlier, later):
    delta = later - earlier
    return (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000


def compute_funnel(journeys):
    people = [0] * len(FUNNEL_STEPS)
    gaps = [[] for _ in FUNNEL_STEPS]
    for journey in journeys.values():
        positions = best_match(journey)
        for step_index, position in enumerate(positions):
            people[step_index] += 1
            if step_index > 0:
                previous = journey[positions[step_index - 1]][0]
                gaps[step_index].append(milliseconds_between(previous, journey[position][0]))

    steps = []
    for step_index, event in enumerate(FUNNEL_STEPS):
        median = statistics.median(gaps[step_index]) if gaps[step_index] else None
        if isinstance(median, float) and median.is_integer():
            median = int(median)
        steps.append({"event": event, "people": people[step_index], "median_ms_from_previous": median})
    return steps


def main(argv):
    if len(argv) not in (2, 3):
        raise SystemExit(__doc__.strip().splitlines()[-1])
    output = argv[2] if len(argv) == 3 else DEFAULT_OUTPUT

    events, journeys = read_journeys(argv[1])
    variants = {tuple(activity for _, activity in journey) for journey in journeys.values()}
    result = {
        "cases": len(journeys),
        "events": events,
        "distinct_journeys": len(variants),
        "steps": compute_funnel(journeys),
    }

    with open(output, "w", encoding="utf-8") as handle:
        json.dump(result, handle, indent=2)
        handle.write("\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main(sys.argv)
