"""Write the drivers tests of a small event log with scipy and statsmodels, as golden values.

Usage: python3 tools/drivers_golden.py tests/fixtures/drivers-fixture.csv > tools/golden/drivers_fixture.json

The input has the columns user, event, ts (RFC 3339 in UTC), channel and device, and `purchase`
is the conversion. A converter's observed events are those before their first purchase in time
order; everyone else's are all of their events. There is no window. The features are each event
name, each non-empty channel and each device value; the channel column itself is not tested a
second time. A feature is tested when at least MIN_PEOPLE people had it. There is no per-group
minimum here, so tables with a zero cell are covered too. The p-value is Fisher's exact two-sided test
when an expected cell is below 5 and Pearson's chi-square without continuity correction
otherwise. statsmodels' Table2x2 gives the odds ratio and Woolf's interval of the table with 0.5
added to every cell when one is 0, and multipletests the Benjamini–Hochberg q-values.
"""

import csv
import json
import sys

from scipy.stats import chi2_contingency, fisher_exact
from statsmodels.stats.contingency_tables import Table2x2
from statsmodels.stats.multitest import multipletests

CONVERSION = "purchase"
MIN_PEOPLE = 10
MIN_EXPECTED = 5.0


def read_people(path):
    """Return each person's (time, row number, event, channel, device) rows in journey order."""
    people = {}
    with open(path, newline="", encoding="utf-8") as file:
        for number, row in enumerate(csv.DictReader(file)):
            people.setdefault(row["user"], []).append((row["ts"], number, row["event"], row["channel"], row["device"]))
    for rows in people.values():
        # RFC 3339 times in UTC with the same format sort as text; file order breaks ties.
        rows.sort()
    return people


def feature_sets(people):
    """Return (converted, set of features) per person, each feature a (kind, column, value)."""
    result = []
    for rows in people.values():
        names = [row[2] for row in rows]
        converted = CONVERSION in names
        observed = rows[: names.index(CONVERSION)] if converted else rows
        features = set()
        for _, _, event, channel, device in observed:
            features.add(("event", None, event))
            if channel:
                features.add(("channel", None, channel))
            if device:
                features.add(("property", "device", device))
        result.append((converted, features))
    return result


def tests(people):
    """Return the group sizes and one row per tested feature."""
    sets = feature_sets(people)
    converters = sum(1 for converted, _ in sets if converted)
    non_converters = len(sets) - converters
    every = sorted({feature for _, features in sets for feature in features}, key=lambda f: (f[0], f[1] or "", f[2]))
    rows = []
    for feature in every:
        a = sum(1 for converted, features in sets if converted and feature in features)
        c = sum(1 for converted, features in sets if not converted and feature in features)
        b, d = converters - a, non_converters - c
        if a + c < MIN_PEOPLE or b + d == 0:
            continue
        table = [[a, b], [c, d]]
        expected = chi2_contingency(table, correction=False).expected_freq
        if expected.min() < MIN_EXPECTED:
            test, p_value = "fisher", float(fisher_exact(table, alternative="two-sided").pvalue)
        else:
            test, p_value = "chi_square", float(chi2_contingency(table, correction=False).pvalue)
        # Haldane–Anscombe: 0.5 is added to every cell when one is 0. statsmodels' own
        # shift_zeros replaces only the zero cells, so the shift is applied here instead.
        shift = 0.5 if 0 in (a, b, c, d) else 0.0
        odds = Table2x2([[a + shift, b + shift], [c + shift, d + shift]], shift_zeros=False)
        lower, upper = odds.oddsratio_confint(alpha=0.05, method="normal")
        rows.append({
            "kind": feature[0], "column": feature[1], "value": feature[2],
            "converters": a, "non_converters": c,
            "odds_ratio": float(odds.oddsratio), "lower_95": float(lower), "upper_95": float(upper),
            "zero_corrected": 0 in (a, b, c, d), "test": test, "p_value": p_value,
        })
    q_values = multipletests([row["p_value"] for row in rows], method="fdr_bh")[1]
    for row, q_value in zip(rows, q_values):
        row["q_value"] = float(q_value)
    return converters, non_converters, rows


def main():
    converters, non_converters, rows = tests(read_people(sys.argv[1]))
    json.dump({"converters": converters, "non_converters": non_converters, "min_people": MIN_PEOPLE, "tests": rows}, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
