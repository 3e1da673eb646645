"""Write the Kaplan–Meier conversion curve of a small event log with lifelines, as golden values.

Usage: python3 tools/km_golden.py tests/fixtures/km-fixture.csv > tools/golden/km_fixture.json

The input has the columns user, event, ts (RFC 3339 in UTC) and `purchase` is the conversion.
Each person's clock starts at their first event. A converter's time is that of their first
purchase; a converter whose first event is a purchase is left out. Everyone else is censored,
either at the last event time of the whole file (`data_end`) or at their own last event
(`last_event`). lifelines fits the curve; the Greenwood standard error is computed here from
lifelines' event table, because lifelines reports only the interval.
"""

import csv
import json
import math
import sys
from datetime import datetime

from lifelines import KaplanMeierFitter

CONVERSION = "purchase"
DAY_MS = 86_400_000
LANDMARKS_MS = [DAY_MS, 7 * DAY_MS, 30 * DAY_MS, 90 * DAY_MS]


def read_people(path):
    """Return each person's (time in ms, event) pairs in time order, and the file's last time."""
    people = {}
    with open(path, newline="", encoding="utf-8") as file:
        for row in csv.DictReader(file):
            moment = datetime.fromisoformat(row["ts"].replace("Z", "+00:00"))
            millis = round(moment.timestamp() * 1000)
            people.setdefault(row["user"], []).append((millis, row["event"]))
    for events in people.values():
        # A stable sort keeps file order for equal times, as the engine does.
        events.sort(key=lambda event: event[0])
    data_end = max(millis for events in people.values() for millis, _ in events)
    return people, data_end


def observations(people, data_end, censor_at):
    """Return (durations in ms, converted flags) for the people on the curve."""
    durations, converted = [], []
    for events in people.values():
        start = events[0][0]
        conversions = [index for index, (_, name) in enumerate(events) if name == CONVERSION]
        if conversions and conversions[0] == 0:
            continue
        if conversions:
            durations.append(events[conversions[0]][0] - start)
            converted.append(True)
        else:
            end = data_end if censor_at == "data_end" else events[-1][0]
            durations.append(end - start)
            converted.append(False)
    return durations, converted


def curve(durations, converted):
    """Fit the curve with lifelines and return its steps, median and landmarks."""
    fitter = KaplanMeierFitter().fit(durations, event_observed=converted, alpha=0.05)
    table = fitter.event_table
    survival = fitter.survival_function_.iloc[:, 0]
    interval = fitter.confidence_interval_
    times = [time for time in table.index if table.loc[time, "observed"] > 0]

    steps = []
    greenwood = 0.0
    for position, time in enumerate(times):
        at_risk = int(table.loc[time, "at_risk"])
        events = int(table.loc[time, "observed"])
        following = times[position + 1] if position + 1 < len(times) else math.inf
        censored = sum(1 for duration, done in zip(durations, converted) if not done and time <= duration < following)
        greenwood += events / (at_risk * (at_risk - events)) if events < at_risk else math.inf
        value = float(survival.loc[time])
        # Once S(t) is 0 the variance is undefined; lifelines then fills its interval with 1.
        defined = value > 0 and math.isfinite(greenwood)
        steps.append({
            "time_ms": int(time),
            "at_risk": at_risk,
            "events": events,
            "censored": censored,
            "cumulative": 1.0 - value,
            "std_error": value * math.sqrt(greenwood) if defined else None,
            "lower_95": 1.0 - float(interval.iloc[:, 1].loc[time]) if defined else None,
            "upper_95": 1.0 - float(interval.iloc[:, 0].loc[time]) if defined else None,
        })

    median = fitter.median_survival_time_
    landmarks = [{
        "time_ms": landmark,
        "at_risk": sum(1 for duration in durations if duration >= landmark),
        "cumulative": 1.0 - float(fitter.predict(landmark)),
    } for landmark in LANDMARKS_MS]
    return {
        "people": len(durations),
        "converters": sum(converted),
        "median_ms": None if math.isinf(median) else int(median),
        "steps": steps,
        "landmarks": landmarks,
    }


def main():
    people, data_end = read_people(sys.argv[1])
    golden = {censor_at: curve(*observations(people, data_end, censor_at)) for censor_at in ("data_end", "last_event")}
    json.dump(golden, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
