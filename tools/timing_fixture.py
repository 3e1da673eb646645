"""Write the made-up event log that the timing golden values are computed from.

Usage: python3 tools/timing_fixture.py > tests/fixtures/timing-fixture.csv

The columns are user, event, ts (RFC 3339 in UTC, whole minutes) and channel (empty for no
channel). Each first-touch channel has its own chance to `purchase` and its own typical time to
purchase, so the channels convert at different speeds. The first visits fall in March and April
2024, around the end of daylight saving time in Europe on 31 March. Gaps between visits run from
minutes to months, some people never come back after their first visit, and a few cases test edge
rules: a purchase as a person's first event, a first event without a channel, and times to
purchase on whole hours so that some are tied. The draw is seeded, so the file is the same on
every run with the same Python version.
"""

import random
import sys
from datetime import datetime, timedelta, timezone

SEED = 20240331
PEOPLE = 220
START = datetime(2024, 3, 1, tzinfo=timezone.utc)
MINUTE = timedelta(minutes=1)

# Channel: (share of people, chance to purchase, mean days to purchase).
CHANNELS = {
    "email": (0.25, 0.75, 2.0),
    "referral": (0.15, 0.65, 4.0),
    "search": (0.30, 0.55, 8.0),
    "social": (0.20, 0.30, 15.0),
    "": (0.10, 0.50, 6.0),
}
PAGES = ["page_view", "page_view", "pricing", "demo"]


def pick_channel(draw):
    """Return a channel name drawn by the channel shares."""
    roll = draw.random()
    for name, (share, _, _) in CHANNELS.items():
        roll -= share
        if roll < 0:
            return name
    return ""


def gap(draw):
    """Return a gap between two visits: minutes to hours, days, or months."""
    kind = draw.random()
    if kind < 0.45:
        return timedelta(minutes=draw.randint(1, 600))
    if kind < 0.8:
        return timedelta(hours=draw.randint(12, 240))
    return timedelta(days=draw.randint(20, 90), minutes=draw.randint(0, 1439))


def visit(draw, rows, user, moment, channel):
    """Append one visit: a `visit` event and a few page events a few minutes apart."""
    rows.append((user, "visit", moment, channel))
    for _ in range(draw.randint(0, 3)):
        moment += timedelta(minutes=draw.randint(1, 9))
        rows.append((user, draw.choice(PAGES), moment, ""))
    return moment


def person(draw, index):
    """Return one person's rows as (user, event, time, channel)."""
    user = f"p{index:03d}"
    first_channel = pick_channel(draw)
    _, chance, mean_days = CHANNELS[first_channel]
    start = START + timedelta(days=draw.randint(0, 60), minutes=draw.randint(0, 1439))
    rows = []

    if index % 97 == 5:
        # A purchase recorded before any other event of the person.
        rows.append((user, "purchase", start, first_channel))
        visit(draw, rows, user, start + timedelta(hours=3), "search")
        return rows
    if first_channel == "" and draw.random() < 0.5:
        # The first event has no channel and the second visit brings one.
        first_channel = draw.choice(["email", "search"])
        visit(draw, rows, user, start, "")
        start += timedelta(hours=draw.randint(1, 48))
    moment = visit(draw, rows, user, start, first_channel)
    if draw.random() < 0.15:
        return rows

    converts = draw.random() < chance
    if converts:
        days = draw.expovariate(1.0 / mean_days)
        buy_at = start + (timedelta(hours=round(days * 24)) if index % 3 == 0 else timedelta(days=days))
        buy_at = max(buy_at, moment + MINUTE).replace(second=0, microsecond=0)
        moment = start
        while True:
            moment = moment + gap(draw)
            if moment >= buy_at - timedelta(minutes=30):
                break
            visit(draw, rows, user, moment, draw.choice([first_channel, "", "search", "email"]))
        rows.append((user, "purchase", buy_at, draw.choice([first_channel, ""])))
        moment = buy_at

    for _ in range(draw.randint(0, 3)):
        moment = moment + gap(draw)
        moment = visit(draw, rows, user, moment, draw.choice(["", "email", "social"]))
        if converts and draw.random() < 0.2:
            moment += timedelta(minutes=draw.randint(1, 30))
            rows.append((user, "purchase", moment, ""))
    return rows


def main():
    draw = random.Random(SEED)
    rows = [row for index in range(PEOPLE) for row in person(draw, index)]
    rows.sort(key=lambda row: row[2])
    output = sys.stdout
    output.write("user,event,ts,channel\n")
    for user, event, moment, channel in rows:
        output.write(f"{user},{event},{moment.strftime('%Y-%m-%dT%H:%M:00Z')},{channel}\n")


if __name__ == "__main__":
    main()
