"""Compute every stage figure of an event CSV with pandas, independently of the engine.

Usage: python3 tools/stages_golden.py EVENTS.csv STAGES.json CONVERSION > OUT.json

EVENTS.csv has the columns user, ts, event, channel and page. STAGES.json lists the stages in
order, each with rules as the engine's `stages` option takes them. The definitions follow the
"Stages" section of docs/metrics.md. An event takes the first stage whose rule matches, and a
visit is a run of consecutive staged events in one stage. The touchpoint tests use scipy and
statsmodels.
"""

import json
import re
import sys

import numpy as np
import pandas as pd
from scipy.stats import chi2_contingency, fisher_exact, norm
from statsmodels.stats.multitest import multipletests

MIN_EXPECTED = 5.0


def glob_pattern(glob):
    """Translate a glob (`*` any run, `?` one character, the rest literal) to a regex."""
    parts = []
    for character in glob:
        if character == "*":
            parts.append(".*")
        elif character == "?":
            parts.append(".")
        else:
            parts.append(re.escape(character))
    return "".join(parts)


def rule_matches(rule, row):
    """Check one rule against one event row."""
    if row["event"] != rule["event"]:
        return False
    column = rule.get("column")
    if not column:
        return True
    cell = row[column]
    if pd.isna(cell) or cell == "":
        return False
    kind = rule.get("match", "exact")
    value = rule.get("value", "")
    if kind == "exact":
        return cell == value
    pattern = glob_pattern(value) if kind == "glob" else value
    return re.fullmatch(pattern, cell) is not None


def stage_of(row, stages):
    for index, stage in enumerate(stages):
        if any(rule_matches(rule, row) for rule in stage["rules"]):
            return index
    return None


def describe(durations):
    if not durations:
        return {"median_ms": None, "p25_ms": None, "p75_ms": None, "mean_ms": None}
    values = np.array(durations, dtype=float)
    return {
        "median_ms": float(np.quantile(values, 0.5)),
        "p25_ms": float(np.quantile(values, 0.25)),
        "p75_ms": float(np.quantile(values, 0.75)),
        "mean_ms": float(values.mean()),
    }


def share(part, whole):
    return part / whole if whole else None


def visits_of(staged):
    """Return each visit as (stage, start time in ms) from a person's staged rows."""
    runs = staged["stage"].ne(staged["stage"].shift()).cumsum()
    firsts = staged.groupby(runs, sort=True).head(1)
    return list(zip(firsts["stage"].astype(int), firsts["ms"]))


def touchpoint_row(name, a, b, c, d):
    """Test one stage's 2x2 table of people: converters a (had) b (not), others c, d. A stage
    that everyone or no one touched cannot be tested and gets no odds ratio or p-value."""
    if a + c == 0 or b + d == 0:
        return {
            "stage": name,
            "converters": int(a),
            "non_converters": int(c),
            "converter_share": a / (a + b),
            "non_converter_share": c / (c + d),
            "difference": a / (a + b) - c / (c + d),
            "odds_ratio": None,
            "lower_95": None,
            "upper_95": None,
            "zero_corrected": False,
            "test": None,
            "p_value": None,
        }
    cells = np.array([a, b, c, d], dtype=float)
    corrected = bool((cells == 0).any())
    ca, cb, cc, cd = cells + (0.5 if corrected else 0.0)
    log_odds = np.log(ca * cd / (cb * cc))
    error = np.sqrt(1 / ca + 1 / cb + 1 / cc + 1 / cd)
    z = norm.ppf(0.975)
    table = np.array([[a, b], [c, d]])
    rows, columns = table.sum(axis=1), table.sum(axis=0)
    min_expected = rows.min() * columns.min() / table.sum()
    if min_expected < MIN_EXPECTED:
        test, p_value = "fisher", float(fisher_exact(table)[1])
    else:
        test, p_value = "chi_square", float(chi2_contingency(table, correction=False)[1])
    return {
        "stage": name,
        "converters": int(a),
        "non_converters": int(c),
        "converter_share": a / (a + b),
        "non_converter_share": c / (c + d),
        "difference": a / (a + b) - c / (c + d),
        "odds_ratio": float(np.exp(log_odds)),
        "lower_95": float(np.exp(log_odds - z * error)),
        "upper_95": float(np.exp(log_odds + z * error)),
        "zero_corrected": corrected,
        "test": test,
        "p_value": p_value,
    }


def main():
    events_path, stages_path, conversion = sys.argv[1], sys.argv[2], sys.argv[3]
    stages = json.load(open(stages_path))
    names = [stage["name"] for stage in stages]
    count = len(stages)

    frame = pd.read_csv(events_path, dtype=str, keep_default_na=False)
    frame["ms"] = pd.to_datetime(frame["ts"], utc=True).astype("int64") // 1_000_000
    frame["row"] = range(len(frame))
    frame = frame.sort_values(["user", "ms", "row"], kind="stable").reset_index(drop=True)
    frame["stage"] = [stage_of(row, stages) for _, row in frame.iterrows()]
    frame["position"] = frame.groupby("user").cumcount()

    transitions = np.zeros((count, count), dtype=int)
    entries, exits = [0] * count, [0] * count
    visits, open_visits = [0] * count, [0] * count
    visit_people = [set() for _ in range(count)]
    lengths = [[] for _ in range(count)]
    pair_times = {(a, b): [] for a in range(count) for b in range(a + 1, count)}
    pair_reversed = {pair: 0 for pair in pair_times}
    skips = {pair: 0 for pair in pair_times}
    furthest = {"converters": [0] * (count + 1), "others": [0] * (count + 1)}
    touched = {"converters": [0] * count, "others": [0] * count}
    groups = {"converters": 0, "others": 0}

    for user, journey in frame.groupby("user", sort=True):
        conversions = journey.index[journey["event"] == conversion]
        converted = len(conversions) > 0
        group = "converters" if converted else "others"
        staged = journey[journey["stage"].notna()]

        top = int(staged["stage"].max()) if len(staged) else count
        furthest[group][top] += 1

        groups[group] += 1
        before = staged[staged.index < conversions[0]] if converted else staged
        for stage in set(before["stage"].astype(int)):
            touched[group][stage] += 1

        if staged.empty:
            continue
        person_visits = visits_of(staged)
        entries[person_visits[0][0]] += 1
        exits[person_visits[-1][0]] += 1
        open_visits[person_visits[-1][0]] += 1
        for stage, _ in person_visits:
            visits[stage] += 1
            visit_people[stage].add(user)
        for (source, start), (target, next_start) in zip(person_visits, person_visits[1:]):
            transitions[source][target] += 1
            lengths[source].append(next_start - start)

        firsts = staged.groupby("stage").head(1).set_index("stage")
        for a, b in pair_times:
            if b not in firsts.index:
                continue
            if a not in firsts.index:
                skips[(a, b)] += 1
                continue
            first_a, first_b = firsts.loc[a], firsts.loc[b]
            if first_a["position"] < first_b["position"]:
                pair_times[(a, b)].append(int(first_b["ms"] - first_a["ms"]))
            else:
                pair_reversed[(a, b)] += 1
                skips[(a, b)] += 1

    channel_frame = frame[frame["channel"] != ""]
    channels = []
    for channel, rows in channel_frame.groupby("channel", sort=True):
        staged = rows[rows["stage"].notna()]
        events = [int((staged["stage"] == stage).sum()) for stage in range(count)]
        people = [int(staged.loc[staged["stage"] == stage, "user"].nunique()) for stage in range(count)]
        total = sum(events)
        channels.append({
            "channel": channel,
            "events": events,
            "people": people,
            "shares": [event / total if total else 0.0 for event in events],
            "unstaged_events": int(rows["stage"].isna().sum()),
        })

    converters, others = groups["converters"], groups["others"]
    touch_rows = [
        touchpoint_row(name, touched["converters"][s], converters - touched["converters"][s], touched["others"][s], others - touched["others"][s])
        for s, name in enumerate(names)
    ]
    tested = [row for row in touch_rows if row["p_value"] is not None]
    q_values = multipletests([row["p_value"] for row in tested], method="fdr_bh")[1] if tested else []
    for row in touch_rows:
        row["q_value"] = None
    for row, q_value in zip(tested, q_values):
        row["q_value"] = float(q_value)

    everyone = converters + others
    golden = {
        "people": int(frame.loc[frame["stage"].notna(), "user"].nunique()),
        "staged_events": int(frame["stage"].notna().sum()),
        "unstaged_events": int(frame["stage"].isna().sum()),
        "transitions": {
            "counts": transitions.tolist(),
            "entries": entries,
            "exits": exits,
            "moves": int(transitions.sum()),
        },
        "time_in_stage": [
            {
                "stage": name,
                "visits": visits[s],
                "people": len(visit_people[s]),
                "closed_visits": len(lengths[s]),
                "open_visits": open_visits[s],
                "duration": describe(lengths[s]),
            }
            for s, name in enumerate(names)
        ],
        "stage_timing": [
            {"from": names[a], "to": names[b], "people": len(times), "reversed": pair_reversed[(a, b)], "duration": describe(times)}
            for (a, b), times in pair_times.items()
        ],
        "furthest": [
            {
                "stage": names[s] if s < count else None,
                "people": furthest["converters"][s] + furthest["others"][s],
                "share": (furthest["converters"][s] + furthest["others"][s]) / everyone,
                "converters": furthest["converters"][s],
                "non_converters": furthest["others"][s],
                "converter_share": share(furthest["converters"][s], converters),
                "non_converter_share": share(furthest["others"][s], others),
            }
            for s in range(count + 1)
        ],
        "skips": [
            {
                "skipped": names[a],
                "reached": names[b],
                "reached_people": len(visit_people[b]),
                "people": people,
                "share": share(people, len(visit_people[b])),
            }
            for (a, b), people in skips.items()
        ],
        "touchpoints": {"converters": converters, "non_converters": others, "stages": touch_rows},
        "channels": channels,
    }
    json.dump(golden, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
