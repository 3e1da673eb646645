"""Compute the gaps and unexpected-paths figures of a fixture independently of the engine.

Reads a CSV with the columns user, event, ts (ISO 8601) and channel. Each person's events are
taken in time order, ties in file order. A converter's observed events are those before their
first conversion event, and everyone else's are the whole journey.

- Unexpected patterns: the converters' observed event names are mined with the prefixspan package
  (each sequence counts once per pattern, gaps allowed), with the minimum support
  max(ceil(min_support x converters), min_count) and at most max_length events. Non-converter
  support is counted here by a subsequence check. Patterns that are subsequences of the funnel's
  events are dropped, and so are patterns with a one-event-shorter mined pattern of the same
  support in both groups. The rest get scipy's two-sided Fisher exact test and statsmodels'
  Benjamini-Hochberg q-values.
- Skipped touchpoints: for each funnel event except the conversion, the converters who did it
  before converting.
- Transition gaps: for every pair of consecutive events with at least min_people gaps, the count,
  the median gap and the gaps of at least long_gap.
- Faster combinations: each person's time from their first event to their first conversion, or
  to the end of the data, leaving out converters whose first event is the conversion. A
  (first-touch channel, observed event) pair is tested when at least min_people converters are
  inside it and at least min_people outside. Its converters' times are compared with the other
  converters' times by scipy's Mann-Whitney U (asymptotic, continuity-corrected, two-sided),
  with Benjamini-Hochberg q-values. Its Kaplan-Meier median over all its people comes from
  lifelines, and is null when it is infinite.

Usage: python3 tools/patterns_golden.py FIXTURE_CSV CONVERSION FUNNEL_EVENTS > GOLDEN_JSON
       python3 tools/patterns_golden.py --make-fixture > tests/fixtures/patterns-fixture.csv
"""

import csv
import json
import math
import random
import sys
from datetime import datetime, timedelta, timezone

import numpy
from lifelines import KaplanMeierFitter
from prefixspan import PrefixSpan
from scipy.stats import fisher_exact, mannwhitneyu
from statsmodels.stats.multitest import multipletests

MIN_SUPPORT = 0.3
MIN_COUNT = 5
MAX_LENGTH = 3
MIN_PEOPLE = 10
LONG_GAP_MS = 86_400_000


def read_journeys(path):
    """Return each person's (time in ms, event, channel) triples in time order, by user id."""
    rows = []
    with open(path, newline="", encoding="utf-8") as handle:
        for number, record in enumerate(csv.DictReader(handle)):
            time = datetime.fromisoformat(record["ts"].replace("Z", "+00:00"))
            millis = int(time.timestamp() * 1000)
            rows.append((record["user"], millis, number, record["event"], record["channel"] or None))
    journeys = {}
    for user, millis, _, event, channel in sorted(rows, key=lambda row: (row[0], row[1], row[2])):
        journeys.setdefault(user, []).append((millis, event, channel))
    return journeys


def is_subsequence(pattern, sequence):
    """Return True when the items of pattern occur in sequence in order, gaps allowed."""
    items = iter(sequence)
    return all(any(item == wanted for item in items) for wanted in pattern)


def observed(journey, conversion):
    """Return the events before the first conversion, or the whole journey, and whether it converted."""
    for position, (_, event, _) in enumerate(journey):
        if event == conversion:
            return journey[:position], True
    return journey, False


def unexpected_patterns(journeys, conversion, funnel):
    converter_sequences, other_sequences = [], []
    for journey in journeys.values():
        events, converted = observed(journey, conversion)
        names = [event for _, event, _ in events]
        (converter_sequences if converted else other_sequences).append(names)
    converters, others = len(converter_sequences), len(other_sequences)

    min_converters = max(math.ceil(MIN_SUPPORT * converters), MIN_COUNT)
    miner = PrefixSpan(converter_sequences)
    miner.maxlen = MAX_LENGTH
    mined = miner.frequent(min_converters)

    supports = {}
    for support, pattern in mined:
        supports[tuple(pattern)] = (support, sum(1 for sequence in other_sequences if is_subsequence(pattern, sequence)))

    rows, in_funnel, redundant = [], 0, 0
    for support, pattern in mined:
        if is_subsequence(pattern, funnel):
            in_funnel += 1
            continue
        shorter = [tuple(pattern[:index] + pattern[index + 1:]) for index in range(len(pattern))] if len(pattern) > 1 else []
        if any(supports.get(candidate) == supports[tuple(pattern)] for candidate in shorter):
            redundant += 1
            continue
        other = supports[tuple(pattern)][1]
        table = [[support, converters - support], [other, others - other]]
        rows.append({"events": list(pattern), "converters": support, "non_converters": other, "p_value": float(fisher_exact(table)[1])})

    q_values = multipletests([row["p_value"] for row in rows], method="fdr_bh")[1] if rows else []
    for row, q_value in zip(rows, q_values):
        row["q_value"] = float(q_value)
    return {
        "converters": converters,
        "non_converters": others,
        "min_converters": min_converters,
        "mined": len(mined),
        "in_funnel": in_funnel,
        "redundant": redundant,
        "tested": len(rows),
        "patterns": rows,
    }


def skipped_touchpoints(journeys, conversion, funnel):
    rows = []
    for event in dict.fromkeys(funnel):
        if event == conversion:
            continue
        did = 0
        for journey in journeys.values():
            events, converted = observed(journey, conversion)
            did += converted and any(name == event for _, name, _ in events)
        rows.append({"event": event, "converters_did": did})
    return rows


def transition_gaps(journeys):
    pairs = {}
    for journey in journeys.values():
        for (start, source, _), (end, target, _) in zip(journey, journey[1:]):
            pairs.setdefault((source, target), []).append(end - start)
    rows = []
    for (source, target), gaps in sorted(pairs.items()):
        if len(gaps) >= MIN_PEOPLE:
            long_gaps = sum(1 for gap in gaps if gap >= LONG_GAP_MS)
            rows.append({"from": source, "to": target, "transitions": len(gaps), "median_gap_ms": float(numpy.median(gaps)), "long_gaps": long_gaps})
    return rows


def faster_combinations(journeys, conversion):
    data_end = max(millis for journey in journeys.values() for millis, _, _ in journey)
    converter_times, groups = [], {}
    for journey in journeys.values():
        events, converted = observed(journey, conversion)
        if converted and not events:
            continue
        start = journey[0][0]
        if converted:
            converter_times.append(journey[len(events)][0] - start)
            index = len(converter_times) - 1
            observation = (converter_times[-1], True)
        else:
            index = None
            observation = (data_end - start, False)
        channel = next((channel for _, _, channel in events if channel), None)
        if channel is None:
            continue
        for event in sorted({name for _, name, _ in events}):
            groups.setdefault((channel, event), []).append((index, observation))
    rows = []
    for (channel, event), members in sorted(groups.items()):
        inside = [index for index, _ in members if index is not None]
        if len(inside) < MIN_PEOPLE or len(converter_times) - len(inside) < MIN_PEOPLE:
            continue
        chosen = set(inside)
        x = [converter_times[index] for index in inside]
        y = [time for index, time in enumerate(converter_times) if index not in chosen]
        test = mannwhitneyu(x, y, alternative="two-sided", use_continuity=True, method="asymptotic")
        rows.append({
            "channel": channel,
            "event": event,
            "people": len(members),
            "converters": len(inside),
            "median_ms": float(numpy.median(x)),
            "km_median_ms": km_median([observation for _, observation in members]),
            "u": float(test.statistic),
            "p_value": float(test.pvalue),
            "members": frozenset(inside),
        })
    # Pairs with exactly the same converters are one test: adjust one p-value per distinct set.
    distinct = {}
    for row in rows:
        distinct.setdefault(row["members"], row["p_value"])
    adjusted = multipletests(list(distinct.values()), method="fdr_bh")[1] if distinct else []
    q_by_members = dict(zip(distinct.keys(), adjusted))
    for row in rows:
        row["q_value"] = float(q_by_members[row.pop("members")])
    return {"converters": len(converter_times), "median_ms": float(numpy.median(converter_times)), "combinations": rows}


def km_median(observations):
    """Return the Kaplan-Meier median time of (time, converted) pairs, or None when it is infinite."""
    fitter = KaplanMeierFitter()
    fitter.fit([time for time, _ in observations], event_observed=[converted for _, converted in observations])
    median = fitter.median_survival_time_
    return None if math.isinf(median) else int(median)


def make_fixture():
    """Write 300 made-up people from a seeded draw.

    Most converters read a case study, then attend a webinar, then ask for a demo before they
    buy, and a quarter of them skip pricing. Others do some of those events in any order. People
    first touched by email who attended a webinar buy within hours, the rest within days.
    """
    draw = random.Random(20240601)
    channels = ["search", "social", "email", "ads"]
    content = ["blog", "case_study", "webinar", "demo", "pricing"]
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["user", "event", "ts", "channel"])
    base = datetime(2024, 3, 1, tzinfo=timezone.utc)
    for number in range(300):
        user = f"u{number:03d}"
        time = base + timedelta(hours=draw.randrange(0, 24 * 30))
        channel = draw.choice(channels)
        converts = draw.random() < 0.4
        if converts:
            middle = ["case_study", "webinar", "demo"] if draw.random() < 0.85 else draw.sample(content, 2)
            events = [draw.choice(content) for _ in range(draw.randrange(0, 2))] + middle + (["pricing", "purchase"] if draw.random() < 0.75 else ["purchase"])
        else:
            events = draw.sample(content, draw.randrange(1, 5))
        fast = converts and channel == "email" and "webinar" in events
        rows = [("visit", channel)] + [(event, "") for event in events]
        for event, touch in rows:
            writer.writerow([user, event, time.strftime("%Y-%m-%dT%H:%M:%SZ"), touch])
            hours = draw.expovariate(1 / 2) if fast else draw.expovariate(1 / 30)
            time += timedelta(minutes=round(hours * 60) + 1)


def main():
    if sys.argv[1:] == ["--make-fixture"]:
        make_fixture()
        return
    path, conversion, funnel = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
    journeys = read_journeys(path)
    golden = {
        "min_support": MIN_SUPPORT,
        "min_support_count": MIN_COUNT,
        "max_length": MAX_LENGTH,
        "min_people": MIN_PEOPLE,
        "long_gap_ms": LONG_GAP_MS,
        "funnel": funnel,
        "unexpected": unexpected_patterns(journeys, conversion, funnel),
        "skipped": skipped_touchpoints(journeys, conversion, funnel),
        "transitions": transition_gaps(journeys),
        "faster": faster_combinations(journeys, conversion),
    }
    json.dump(golden, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
