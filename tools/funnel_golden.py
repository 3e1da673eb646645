"""Compute ordered funnels with a held column and the events after each drop-off, independently of
the engine.

Reads a CSV with the columns user, ts (ISO 8601), event and product, and a funnel given as event
names. For each person the events are taken in time order (ties in file order). Every step-1 event
starts a chain, and each later step takes the earliest matching event after the previous one.
With the column held, a chain starts only at an event with a value and takes only events with the
start's value. The person counts with the chain that reaches the most steps, the earliest start
on ties. For the people who stop before a step, the event right after the last event of their
chain is counted, named by its event (and, with the column held, its product when it has one),
or "(journey ended)".
Writes step counts and the five most common next events, then "Other", per step, with the
product held and not held.

Usage: python3 tools/funnel_golden.py FIXTURE_CSV view,cart,buy > tools/golden/funnel_hold.json
       python3 tools/funnel_golden.py --make-fixture > tests/fixtures/funnel-hold.csv
"""

import csv
import json
import random
import sys
from collections import Counter
from datetime import datetime, timedelta, timezone

TOP = 5


def read_journeys(path):
    """Return each person's events as (event, product) pairs in time order, persons in first-seen order."""
    rows = []
    with open(path, newline="", encoding="utf-8") as handle:
        for number, record in enumerate(csv.DictReader(handle)):
            time = datetime.fromisoformat(record["ts"].replace("Z", "+00:00"))
            rows.append((record["user"], time, number, record["event"], record["product"] or None))
    order = {}
    for user, *_ in rows:
        order.setdefault(user, len(order))
    journeys = {user: [] for user in order}
    for user, time, number, event, product in sorted(rows, key=lambda row: (order[row[0]], row[1], row[2])):
        journeys[user].append((event, product))
    return journeys


def chain_from(journey, steps, start, hold):
    """Return the positions of the chain that starts at `start`."""
    value = journey[start][1]
    chain = [start]
    for position in range(start + 1, len(journey)):
        if len(chain) == len(steps):
            break
        event, product = journey[position]
        if event == steps[len(chain)] and (not hold or product == value):
            chain.append(position)
    return chain


def best_chain(journey, steps, hold):
    """Return the chain reaching the most steps, the earliest start on ties; [] when none starts."""
    best = []
    for start, (event, product) in enumerate(journey):
        if event != steps[0] or (hold and product is None):
            continue
        chain = chain_from(journey, steps, start, hold)
        if len(chain) > len(best):
            best = chain
    return best


def label(journey, position, with_product):
    """Name the event at `position`, with its product when asked and present."""
    if position >= len(journey):
        return "(journey ended)"
    event, product = journey[position]
    return f"{event} {product}" if with_product and product else event


def funnel(journeys, steps, hold):
    reached = [0] * len(steps)
    next_events = [Counter() for _ in steps]
    for journey in journeys.values():
        chain = best_chain(journey, steps, hold)
        for step in range(len(chain)):
            reached[step] += 1
        if 0 < len(chain) < len(steps):
            next_events[len(chain)][label(journey, max(chain) + 1, hold)] += 1
    result = []
    for step, name in enumerate(steps):
        ranked = sorted(next_events[step].items(), key=lambda item: (-item[1], item[0]))
        rows = [{"label": text, "people": count} for text, count in ranked[:TOP]]
        if len(ranked) > TOP:
            rows.append({"label": "Other", "people": sum(count for _, count in ranked[TOP:])})
        result.append({"event": name, "people": reached[step], "next_after_drop": rows})
    return result


def make_fixture(out):
    """Write 300 seeded made-up shoppers who view, cart and buy products, some events without one."""
    generator = random.Random(3)
    products = ["p1", "p2", "p3", "p4", "p5"]
    start = datetime(2024, 3, 1, tzinfo=timezone.utc)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["user", "ts", "event", "product"])
    for person in range(300):
        time = start + timedelta(minutes=generator.randint(0, 40_000))
        for _ in range(generator.randint(1, 9)):
            time += timedelta(minutes=generator.randint(0, 300))
            event = generator.choices(["view", "cart", "buy", "search", "support"], [10, 5, 3, 3, 1])[0]
            product = "" if event in ("search", "support") or generator.random() < 0.1 else generator.choice(products[: generator.randint(1, 5)])
            writer.writerow([f"u{person:03d}", time.strftime("%Y-%m-%dT%H:%M:%SZ"), event, product])


def main():
    if sys.argv[1:] == ["--make-fixture"]:
        make_fixture(sys.stdout)
        return
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    journeys = read_journeys(sys.argv[1])
    steps = sys.argv[2].split(",")
    result = {"steps": steps, "held": funnel(journeys, steps, True), "free": funnel(journeys, steps, False)}
    json.dump(result, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
