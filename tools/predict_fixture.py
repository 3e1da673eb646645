"""Write tests/fixtures/predict-fixture.csv: made-up journeys for the prediction golden test.

900 people arrive over 60 days and come back in sessions. Within a session the next event
depends on the two before it, so higher Markov orders predict better than the most frequent
event. A hidden intent drawn per person raises the number of sessions, the chance to reach the
cart and the chance to `purchase` there, so journey features carry real signal about later
purchases. Seeded, so every run writes the same file.

Usage: python3 tools/predict_fixture.py > tests/fixtures/predict-fixture.csv
"""

import csv
import random
import sys
from datetime import datetime, timedelta, timezone

SEED = 20241204
PEOPLE = 900
START = datetime(2024, 3, 1, tzinfo=timezone.utc)
ARRIVAL_DAYS = 60
CHANNELS = ["search", "social", "email", "direct", "ads"]
FIRST_TOUCH_WEIGHTS = [35, 25, 10, 15, 15]

# The next event after each pair of events within a session, with relative weights.
AFTER_PAIR = {
    ("start", "visit"): {"view_product": 6, "read_blog": 3, "leave": 1},
    ("visit", "view_product"): {"read_review": 5, "view_product": 2, "leave": 2},
    ("visit", "read_blog"): {"read_blog": 3, "view_product": 3, "leave": 3},
    ("read_blog", "read_blog"): {"view_product": 2, "leave": 4},
    ("read_blog", "view_product"): {"read_review": 3, "leave": 3},
    ("view_product", "view_product"): {"read_review": 2, "leave": 4},
    ("view_product", "read_review"): {"add_to_cart": 5, "leave": 3},
    ("read_review", "add_to_cart"): {"purchase": 0, "leave": 1},
}


def next_event(rng, pair, intent, session):
    weights = dict(AFTER_PAIR.get(pair, {"leave": 1}))
    if pair == ("read_review", "add_to_cart"):
        # First visits rarely buy, so many purchases come weeks after arrival.
        weights["purchase"] = 8 * intent * (0.1 if session == 0 else 1.0)
        weights["leave"] = 1 - intent
    if "add_to_cart" in weights:
        weights["add_to_cart"] *= 0.4 + intent
    names = list(weights)
    return rng.choices(names, weights=[weights[name] for name in names])[0]


def person_rows(rng, person):
    intent = rng.betavariate(1.5, 2.0)
    arrival = START + timedelta(seconds=rng.uniform(0, ARRIVAL_DAYS * 86400))
    sessions = 1 + min(8, int(rng.expovariate(1.0 / (0.5 + 3 * intent))))
    channel = rng.choices(CHANNELS, weights=FIRST_TOUCH_WEIGHTS)[0]
    time = arrival
    rows = []
    for session in range(sessions):
        if session > 0:
            time += timedelta(days=rng.expovariate(1.0 / (2 + 10 * (1 - intent))))
            channel = rng.choice(CHANNELS)
        pair = ("start", "visit")
        rows.append((person, time, "visit", channel))
        while True:
            event = next_event(rng, pair, intent, session)
            if event == "leave":
                break
            time += timedelta(seconds=rng.randint(20, 600))
            rows.append((person, time, event, channel))
            if event == "purchase":
                return rows
            pair = (pair[1], event)
    return rows


def main():
    rng = random.Random(SEED)
    rows = []
    for index in range(PEOPLE):
        rows.extend(person_rows(rng, f"p{index:04d}"))
    rows.sort(key=lambda row: row[1])
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["user_id", "timestamp", "event", "channel"])
    for person, time, event, channel in rows:
        writer.writerow([person, time.strftime("%Y-%m-%dT%H:%M:%SZ"), event, channel])


if __name__ == "__main__":
    main()
