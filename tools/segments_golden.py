"""Compute the segment memberships of an event CSV with pandas, independently of the engine.

Usage: python3 tools/segments_golden.py EVENTS.csv CONVERSION [--repeat-pattern P]
       [--repeat-min N] [--did-pattern P] [--recent-days D] [--session-gap-minutes M] > OUT.json

EVENTS.csv has the person id in its first column, the UTC time in its second and an `event`
column, and may have a `page` column. The definitions follow the "Segments" section of
docs/metrics.md. The prediction-based segments (ready to buy, at risk) need the engine's
propensity model, so they are left out here.
"""

import argparse
import json
import re
import sys

import numpy as np
import pandas as pd

DAY_MS = 86_400_000
ENGAGEMENT_SHARE = 0.25


def load(path):
    """Read the events and sort each person's journey by time, keeping file order on ties."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame = frame.rename(columns={frame.columns[0]: "person", frame.columns[1]: "ts"})
    frame["ms"] = pd.to_datetime(frame["ts"], utc=True).astype("int64") // 1_000_000
    frame["row"] = np.arange(len(frame))
    if "page" not in frame.columns:
        frame["page"] = ""
    return frame.sort_values(["person", "ms", "row"], kind="stable")


def matches(frame, pattern):
    """Flag the events whose name or page matches `pattern`, ignoring case."""
    regex = re.compile(pattern, re.IGNORECASE)
    by_event = frame["event"].map(lambda text: bool(regex.search(text)))
    by_page = frame["page"].map(lambda text: text != "" and bool(regex.search(text)))
    return by_event | by_page


def matching_sessions(frame, flags, gap_ms):
    """Count, per person, the sessions with a flagged event; a session ends after more than
    `gap_ms` without an event."""
    gaps = frame.groupby("person")["ms"].diff()
    session = (gaps > gap_ms).astype(int).groupby(frame["person"]).cumsum()
    flagged = frame.assign(session=session)[flags]
    return flagged.groupby("person")["session"].nunique()


def conversions(frame, conversion):
    """Return each converter's time to convert in ms, or None when their first event converts."""
    result = {}
    for person, journey in frame.groupby("person", sort=True):
        events = list(journey["event"])
        if conversion not in events:
            continue
        position = events.index(conversion)
        times = list(journey["ms"])
        result[person] = None if position == 0 else int(times[position] - times[0])
    return result


def tercile_cuts(times):
    """Return the linear-interpolation terciles of the sorted times, as the speed segments do."""
    ordered = sorted(times)
    last = len(ordered) - 1
    cuts = []
    for k in (1, 2):
        lower, remainder = divmod(last * k, 3)
        upper = min(lower + 1, last)
        cuts.append(ordered[lower] + (ordered[upper] - ordered[lower]) * (remainder / 3))
    return cuts


def engagement(frame, converters):
    """Return the high and low engagement members and the two quartile cut-offs."""
    open_frame = frame[~frame["person"].isin(converters)].copy()
    open_frame["day"] = open_frame["ms"] // DAY_MS
    grouped = open_frame.groupby("person")
    rate = grouped.size() / grouped["day"].nunique()
    low_cut = float(np.quantile(rate.to_numpy(), ENGAGEMENT_SHARE))
    high_cut = float(np.quantile(rate.to_numpy(), 1 - ENGAGEMENT_SHARE))
    high = sorted(rate[rate >= high_cut].index)
    low = sorted(rate[rate <= low_cut].index)
    return high, low, high_cut, low_cut


def successors(frame, conversion):
    """Return each event's most common different follower in converters' journeys up to their
    first conversion, ties going to the alphabetically first name."""
    counts = {}
    for _, journey in frame.groupby("person", sort=True):
        events = list(journey["event"])
        if conversion not in events:
            continue
        upto = events[: events.index(conversion) + 1]
        for before, after in zip(upto, upto[1:]):
            if before != after:
                counts[(before, after)] = counts.get((before, after), 0) + 1
    best = {}
    for (before, after), count in sorted(counts.items()):
        if before not in best or count > best[before][1]:
            best[before] = (after, count)
    return {before: after for before, (after, _) in best.items()}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("events")
    parser.add_argument("conversion")
    parser.add_argument("--repeat-pattern", default="pricing")
    parser.add_argument("--repeat-min", type=int, default=2)
    parser.add_argument("--did-pattern", default="download|guide|ebook|whitepaper")
    parser.add_argument("--recent-days", type=float, default=30)
    parser.add_argument("--session-gap-minutes", type=float, default=30)
    args = parser.parse_args()

    frame = load(args.events)
    people = sorted(frame["person"].unique())
    converted = conversions(frame, args.conversion)
    data_end = int(frame["ms"].max())

    repeat_counts = matching_sessions(frame, matches(frame, args.repeat_pattern), args.session_gap_minutes * 60_000)
    repeat = sorted(p for p, count in repeat_counts.items() if count >= args.repeat_min and p not in converted)
    did = sorted(frame[matches(frame, args.did_pattern)]["person"].unique())
    high, low, high_cut, low_cut = engagement(frame, converted)

    measured = {person: time for person, time in converted.items() if time is not None}
    fast_cut, slow_cut = tercile_cuts(list(measured.values()))
    fast = sorted(p for p, time in measured.items() if time <= fast_cut)
    slow = sorted(p for p, time in measured.items() if time > slow_cut)
    span = frame.groupby("person")["ms"].agg(["min", "max"])
    recent_from = data_end - args.recent_days * DAY_MS
    stalled = sorted(
        p for p, row in span.iterrows() if p not in converted and row["max"] >= recent_from and data_end - row["min"] > slow_cut
    )

    last_event = frame.groupby("person")["event"].last()
    follower = successors(frame, args.conversion)
    golden = {
        "people": len(people),
        "converters": sorted(converted),
        "cuts": {"high_engagement": high_cut, "low_engagement": low_cut, "fast_max_ms": fast_cut, "slow_after_ms": slow_cut},
        "segments": {
            "repeat_visit": repeat,
            "did_event": did,
            "high_engagement": high,
            "low_engagement": low,
            "fast_movers": fast,
            "slow_movers": slow,
            "stalled": stalled,
        },
        "successors": follower,
        "suggested_next": {person: follower.get(last_event[person]) for person in people},
    }
    json.dump(golden, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
