"""Compute higher-order Markov attribution for a channel path table, independently of the engine.

Reads a `;`-separated table with the columns path (channels joined by `>`), total_conversions and
total_null. Every conversion and every null is one walk. For each order k and with repeats kept
or merged, a state is the tuple of the last k channels up to a touchpoint (fewer at the start of
a walk). Absorption probabilities come from numpy.linalg.solve on (I - Q) x = r, once for the
whole chain and once per removed channel, where removing a channel sends every state that
contains it to null. Writes, per setting, the conversion probability, the number of states and
each channel's removal effect and credit in conversions.

Usage: python3 tools/markov_golden.py PATHS_CSV > tools/golden/markov_paths.json
       python3 tools/markov_golden.py --make-fixture > tests/fixtures/markov-paths.csv
"""

import csv
import json
import random
import sys

import numpy as np

ORDERS = (1, 2, 3)


def read_walks(path):
    """Return a list of (channels, converted) walks, one per conversion and per null."""
    walks = []
    with open(path, newline="", encoding="utf-8") as handle:
        for record in csv.DictReader(handle, delimiter=";"):
            channels = [part.strip() for part in record["path"].split(">") if part.strip()]
            walks += [(channels, True)] * int(record["total_conversions"] or 0)
            walks += [(channels, False)] * int(record["total_null"] or 0)
    return walks


def merge_runs(channels):
    """Return the channels with each run of one channel merged into one touchpoint."""
    merged = []
    for channel in channels:
        if not merged or merged[-1] != channel:
            merged.append(channel)
    return merged


def state_walks(walks, order, merge):
    """Return each walk as its list of states, and whether it converted."""
    result = []
    for channels, converted in walks:
        if merge:
            channels = merge_runs(channels)
        states = [tuple(channels[max(0, i - order + 1): i + 1]) for i in range(len(channels))]
        result.append((states, converted))
    return result


def conversion_probability(walks, removed=None):
    """Return the absorption probability in conversion from the start."""
    states = sorted({state for states, _ in walks for state in states})
    index = {state: i for i, state in enumerate(states)}
    size = len(states)
    counts = np.zeros((size, size + 2))
    starts = np.zeros(size)
    for sequence, converted in walks:
        starts[index[sequence[0]]] += 1
        for a, b in zip(sequence, sequence[1:]):
            counts[index[a], index[b]] += 1
        counts[index[sequence[-1]], size if converted else size + 1] += 1
    probabilities = counts / counts.sum(axis=1, keepdims=True)
    q = probabilities[:, :size].copy()
    r = probabilities[:, size].copy()
    if removed is not None:
        for state, i in index.items():
            if removed in state:
                q[i, :] = 0.0
                r[i] = 0.0
    x = np.linalg.solve(np.eye(size) - q, r)
    return float(starts @ x / starts.sum()), size


def settings(walks):
    """Return the figures for every order, with repeats kept and merged."""
    channels = sorted({channel for sequence, _ in walks for channel in sequence})
    conversions = sum(1 for _, converted in walks if converted)
    results = []
    for order in ORDERS:
        for merge in (False, True):
            chain = state_walks(walks, order, merge)
            whole, size = conversion_probability(chain)
            effects = {}
            for channel in channels:
                without, _ = conversion_probability(chain, channel)
                effects[channel] = min(max(1 - without / whole, 0.0), 1.0) if whole > 0 else 0.0
            total = sum(effects.values())
            credits = {channel: conversions * effect / total if total > 0 else 0.0 for channel, effect in effects.items()}
            results.append({
                "order": order,
                "collapse_repeats": merge,
                "states": size,
                "conversion_probability": whole,
                "removal_effects": effects,
                "credits": credits,
            })
    return {"conversions": conversions, "settings": results}


def make_fixture(out):
    """Write a seeded random path table of 5 channels with loops and repeats."""
    generator = random.Random(7)
    names = ["search", "email", "social", "display", "direct"]
    rows = {}
    for _ in range(600):
        length = generator.randint(1, 6)
        path = [generator.choice(names[:3]) if generator.random() < 0.6 else generator.choice(names) for _ in range(length)]
        if generator.random() < 0.3 and len(path) > 1:
            path[1] = path[0]
        converts = generator.random() < (0.15 + 0.1 * ("email" in path) + 0.1 * (path[-1] == "search"))
        key = " > ".join(path)
        conversions, nulls = rows.get(key, (0, 0))
        rows[key] = (conversions + converts, nulls + (not converts))
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(["path", "total_conversions", "total_null"])
    for key in sorted(rows):
        writer.writerow([key, *rows[key]])


def main():
    if sys.argv[1:] == ["--make-fixture"]:
        make_fixture(sys.stdout)
        return
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    json.dump(settings(read_walks(sys.argv[1])), sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
