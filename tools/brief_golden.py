"""Write tools/golden/brief_fixture.json: the AI brief's headline and channel lines for
tests/fixtures/brief-identifiers.csv, computed from the raw CSV with pandas.

The figures are the people, the converters (people with a `purchase` row), the conversion rate,
and each channel's share of the linear attribution credit. In this fixture only the first row of
each person has a channel, so a converter's linear credit goes whole to that channel. A channel
with fewer than 10 converters gets the hidden-share text, and a channel name with a run of five
or more digits the hidden-label text, as docs/metrics.md (AI brief) sets out.

Usage: python3 tools/brief_golden.py tests/fixtures/brief-identifiers.csv > tools/golden/brief_fixture.json
"""

import json
import re
import sys

import pandas as pd

PLACEHOLDER = "[label hidden: it may identify a person]"
SUPPRESSED = "(share hidden: fewer than 10 people)"


def main(path: str) -> None:
    rows = pd.read_csv(path, dtype=str, keep_default_na=False)
    rows["timestamp"] = pd.to_datetime(rows["timestamp"], utc=True)
    people = rows["user_id"].nunique()
    buyers = set(rows.loc[rows["event"] == "purchase", "user_id"])
    headline = [
        f"- People: {people}",
        '- Conversion: the event "purchase"',
        f"- Converters: {len(buyers)}",
        f"- Conversion rate: {len(buyers) * 100 / people:.1f}%",
    ]

    touches = rows[(rows["channel"] != "") & rows["user_id"].isin(buyers)]
    credit = touches.groupby("channel")["user_id"].nunique()
    credited = credit.sum()
    order = sorted(credit.items(), key=lambda item: (-item[1], item[0]))
    channels = []
    for channel, converters in order:
        label = PLACEHOLDER if re.search(r"\d{5}", channel) else channel
        share = SUPPRESSED if converters < 10 else f"{converters * 100 / credited:.1f}%"
        channels.append(f"- {label}: {share}")
    json.dump({"headline": headline, "channels": channels}, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main(sys.argv[1])
