"""Write the silences, hour-and-weekday, speed and channel-speed figures of an event log as golden
values, computed with pandas and lifelines.

Usage: python3 tools/timing_golden.py tests/fixtures/timing-fixture.csv > tools/golden/timing_fixture.json

The input has the columns user, event, ts (RFC 3339 in UTC) and channel (empty for none), and
`purchase` is the conversion. Each person's events are in time order, file order breaking ties.
The definitions follow docs/metrics.md:

- Silences. A closed gap runs from one event of a person to their next. The open gap runs from a
  person's last event to the last time in the file. For a threshold g, closed gaps of at least g
  returned and open gaps of at least g did not. Open gaps shorter than g are censored and left
  out. A gap is before conversion when it starts before the person's first purchase (every gap
  of a person without one, their open gap included). The rule finds the smallest threshold from
  which on every threshold with at least MIN_SILENCES silences returns at most RETURN_RULE.
- Hours and weekdays. Every purchase event, and separately every event, by local weekday
  (Monday = 0) and hour in TIME_ZONE.
- Speed. Time to convert runs from the first event to the first purchase; people whose first
  event is a purchase are left out. The tercile cuts interpolate linearly at rank (n - 1) k / 3,
  computed exactly. Fast is up to the first cut, medium above it and up to the second, slow above
  the second. Each segment gets the median time, the mean number of events before the first
  purchase and the mean number of distinct non-empty channels among them. It also gets the top
  paths of event names before the purchase, consecutive repeats collapsed (most people first, ties
  by the steps), and the first-touch channels: the first non-empty channel before the purchase.
- Channel speed. People are grouped by their first non-empty channel before their first purchase
  (among all their events when they never purchase), and separately under every non-empty
  channel among those events. lifelines' KaplanMeierFitter fits each
  group, with non-purchasers censored at the last time in the file: its median survival time
  (null when infinite) and 1 - S at the end, plus the converters' own median.
"""

import json
import sys
from fractions import Fraction

import pandas as pd
from lifelines import KaplanMeierFitter

CONVERSION = "purchase"
TIME_ZONE = "Europe/Berlin"
RETURN_RULE = 0.1
MIN_SILENCES = 10
TOP_PATHS = 5
HOUR_MS = 3_600_000
DAY_MS = 24 * HOUR_MS
THRESHOLDS = [
    (HOUR_MS, "1 h"), (3 * HOUR_MS, "3 h"), (6 * HOUR_MS, "6 h"), (12 * HOUR_MS, "12 h"),
    (DAY_MS, "1 day"), (2 * DAY_MS, "2 days"), (3 * DAY_MS, "3 days"), (7 * DAY_MS, "7 days"),
    (14 * DAY_MS, "14 days"), (30 * DAY_MS, "30 days"), (60 * DAY_MS, "60 days"),
    (90 * DAY_MS, "90 days"), (180 * DAY_MS, "180 days"), (365 * DAY_MS, "365 days"),
    (730 * DAY_MS, "730 days"),
]


def read_events(path):
    """Return the events in journey order, with ms times and each event's position and the
    position of the person's first purchase (NaN for none)."""
    events = pd.read_csv(path, dtype=str, keep_default_na=False)
    if events.duplicated().any():
        raise SystemExit("the fixture has exact duplicate rows, which the engine would remove")
    events["row"] = range(len(events))
    events["time"] = pd.to_datetime(events["ts"], utc=True)
    events["ms"] = events["time"].astype("int64") // 1_000_000
    events = events.sort_values(["user", "ms", "row"], kind="stable").reset_index(drop=True)
    events["position"] = events.groupby("user").cumcount()
    purchase_positions = events.loc[events["event"] == CONVERSION].groupby("user")["position"].min()
    events["first_purchase"] = events["user"].map(purchase_positions)
    return events


def silences(events):
    """Return the silences figures."""
    data_end = events["ms"].max()
    events = events.copy()
    events["next_ms"] = events.groupby("user")["ms"].shift(-1)
    closed = events.dropna(subset=["next_ms"]).copy()
    closed["gap"] = closed["next_ms"].astype("int64") - closed["ms"]
    closed["before_conversion"] = closed["first_purchase"].isna() | (closed["position"] < closed["first_purchase"])
    closed["converted_after"] = closed["first_purchase"].notna() & (closed["position"] < closed["first_purchase"])
    last = events.groupby("user").tail(1).copy()
    last["gap"] = data_end - last["ms"]
    last["before_conversion"] = last["first_purchase"].isna()

    rows = []
    for threshold, label in THRESHOLDS:
        returned = int((closed["gap"] >= threshold).sum())
        not_returned = int((last["gap"] >= threshold).sum())
        if returned + not_returned == 0:
            break
        before = int(((closed["gap"] >= threshold) & closed["before_conversion"]).sum()) + int(((last["gap"] >= threshold) & last["before_conversion"]).sum())
        converted = int(((closed["gap"] >= threshold) & closed["converted_after"]).sum())
        rows.append({
            "label": label, "threshold_ms": threshold, "silences": returned + not_returned,
            "returned": returned, "not_returned": not_returned, "censored": int(len(last)) - not_returned,
            "return_share": returned / (returned + not_returned),
            "before_conversion": before, "converted_after": converted,
            "converted_share": converted / before if before else None,
        })
    rarely = None
    supported = [row for row in rows if row["silences"] >= MIN_SILENCES]
    for row in reversed(supported):
        if row["return_share"] > RETURN_RULE:
            break
        rarely = row["threshold_ms"]
    return {
        "people": int(len(last)), "gaps": int(len(closed)),
        "median_gap_ms": float(closed["gap"].median()), "p90_gap_ms": float(closed["gap"].quantile(0.9)),
        "comeback": rows, "rarely_back_after_ms": rarely,
    }


def rhythm(events, only_purchases):
    """Return the 7 x 24 counts by local weekday and hour."""
    chosen = events[events["event"] == CONVERSION] if only_purchases else events
    local = chosen["time"].dt.tz_convert(TIME_ZONE)
    counts = pd.crosstab(local.dt.dayofweek, local.dt.hour).reindex(index=range(7), columns=range(24), fill_value=0)
    return {"events": int(len(chosen)), "counts": counts.astype(int).values.tolist()}


def converters(events):
    """Return one row per measured converter: time to convert, and the events before purchase."""
    rows = []
    for user, journey in events.groupby("user", sort=False):
        position = journey["first_purchase"].iloc[0]
        if pd.isna(position) or position == 0:
            continue
        before = journey.iloc[: int(position)]
        names = before["event"].tolist()
        collapsed = [name for index, name in enumerate(names) if index == 0 or names[index - 1] != name]
        channels = [channel for channel in before["channel"] if channel]
        rows.append({
            "user": user,
            "time": int(journey["ms"].iloc[int(position)] - journey["ms"].iloc[0]),
            "events": len(before),
            "channels": len(set(channels)),
            "path": tuple(collapsed),
            "first_touch": channels[0] if channels else None,
        })
    return pd.DataFrame(rows)


def tercile(sorted_times, k):
    """Return the k/3 quantile, interpolated at the exact rank (n - 1) k / 3."""
    rank = Fraction((len(sorted_times) - 1) * k, 3)
    lower = int(rank)
    fraction = float(rank - lower)
    low = float(sorted_times[lower])
    high = float(sorted_times[min(lower + 1, len(sorted_times) - 1)])
    return low + (high - low) * fraction


def speed(events):
    """Return the tercile cuts and each segment's figures."""
    movers = converters(events)
    excluded = int(events.loc[events["first_purchase"] == 0, "user"].nunique())
    times = sorted(movers["time"])
    fast, medium = tercile(times, 1), tercile(times, 2)
    segments = []
    masks = [movers["time"] <= fast, (movers["time"] > fast) & (movers["time"] <= medium), movers["time"] > medium]
    for name, mask in zip(["fast", "medium", "slow"], masks):
        group = movers[mask]
        paths = group["path"].value_counts()
        ranked = sorted(paths.items(), key=lambda item: (-item[1], list(item[0])))[:TOP_PATHS]
        touches = group["first_touch"].dropna().value_counts()
        touch_rows = sorted(touches.items(), key=lambda item: (-item[1], item[0]))
        segments.append({
            "name": name, "people": int(len(group)),
            "median_ms": float(group["time"].median()) if len(group) else None,
            "mean_events": float(group["events"].mean()) if len(group) else None,
            "mean_channels": float(group["channels"].mean()) if len(group) else None,
            "distinct_paths": int(len(paths)),
            "top_paths": [{"steps": list(path), "people": int(count)} for path, count in ranked],
            "first_touch": [{"channel": channel, "people": int(count)} for channel, count in touch_rows],
            "without_channel": int(group["first_touch"].isna().sum()),
        })
    return {"converters": int(len(movers)), "excluded": excluded, "fast_max_ms": fast, "medium_max_ms": medium, "segments": segments}


def channel_speed(events, any_touch):
    """Return each channel's Kaplan-Meier figures, fastest first, grouping people by their first
    channel or, with `any_touch`, by every channel before conversion."""
    data_end = events["ms"].max()
    groups = {}
    without_channel = 0
    people = 0
    for _, journey in events.groupby("user", sort=False):
        position = journey["first_purchase"].iloc[0]
        if position == 0:
            continue
        converted = not pd.isna(position)
        before = journey.iloc[: int(position)] if converted else journey
        channels = [channel for channel in before["channel"] if channel]
        start = journey["ms"].iloc[0]
        duration = (journey["ms"].iloc[int(position)] if converted else data_end) - start
        if not channels:
            without_channel += 1
            continue
        people += 1
        for channel in sorted(set(channels)) if any_touch else channels[:1]:
            groups.setdefault(channel, []).append((int(duration), converted))
    rows = []
    for channel, observations in groups.items():
        durations = [duration for duration, _ in observations]
        flags = [converted for _, converted in observations]
        fitter = KaplanMeierFitter().fit(durations, event_observed=flags)
        median = fitter.median_survival_time_
        converter_times = pd.Series([duration for duration, converted in observations if converted], dtype=float)
        rows.append({
            "channel": channel, "people": len(observations), "converters": int(sum(flags)),
            "median_ms": None if median == float("inf") else int(median),
            "final_cumulative": float(1.0 - fitter.survival_function_.iloc[-1, 0]),
            "converters_median_ms": float(converter_times.median()) if len(converter_times) else None,
        })
    rows.sort(key=lambda row: (
        row["median_ms"] is None, row["median_ms"] or 0,
        row["converters_median_ms"] is None, row["converters_median_ms"] or 0.0, row["channel"],
    ))
    return {"people": people, "without_channel": without_channel, "channels": rows}


def main():
    events = read_events(sys.argv[1])
    golden = {
        "time_zone": TIME_ZONE,
        "return_rule": RETURN_RULE,
        "min_silences": MIN_SILENCES,
        "silences": silences(events),
        "rhythm_purchases": rhythm(events, True),
        "rhythm_all_events": rhythm(events, False),
        "speed": speed(events),
        "channel_speed": channel_speed(events, False),
        "channel_speed_any_touch": channel_speed(events, True),
    }
    json.dump(golden, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
