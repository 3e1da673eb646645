"""Compute channel attribution figures for a channel path table, independently of the engine.

Reads a `;`-separated table with the columns path (channels joined by `>`), total_conversions,
total_conversion_value and total_null, and writes, per channel, the first-touch, last-touch and
linear credits and the first-order Markov removal effects and credits, in conversions and in
value. The Markov chain keeps repeated channels and is solved exactly: absorption probabilities
come from the fundamental matrix of the absorbing chain, computed with numpy.

When the ChannelAttribution package is installed, its heuristic and Markov results are stored
beside ours under "channelattribution". Its Markov model estimates by simulation, so those
figures agree with the exact ones only to within a few per cent.

Usage: python3 tools/attribution_golden.py PATHS_CSV OUTPUT_JSON
"""

import csv
import json
import sys

import numpy as np


def read_table(path):
    """Return a list of (channels, conversions, value, nulls) rows."""
    rows = []
    with open(path, newline="", encoding="utf-8") as handle:
        for record in csv.DictReader(handle, delimiter=";"):
            channels = [part.strip() for part in record["path"].split(">") if part.strip()]
            conversions = int(record["total_conversions"] or 0)
            value = float(record["total_conversion_value"] or 0)
            nulls = int(record["total_null"] or 0)
            rows.append((channels, conversions, value, nulls))
    return rows


def heuristic_credits(rows, names):
    """Return first-touch, last-touch and linear credits in conversions and in value."""
    credits = {
        model: {"conversions": dict.fromkeys(names, 0.0), "value": dict.fromkeys(names, 0.0)}
        for model in ("first_touch", "last_touch", "linear")
    }
    for channels, conversions, value, _ in rows:
        if conversions == 0:
            continue
        for unit, amount in (("conversions", conversions), ("value", value)):
            credits["first_touch"][unit][channels[0]] += amount
            credits["last_touch"][unit][channels[-1]] += amount
            for channel in channels:
                credits["linear"][unit][channel] += amount / len(channels)
    return credits


def transition_counts(rows, names):
    """Return the transition count matrix over states start, channels..., conversion, null."""
    index = {name: position + 1 for position, name in enumerate(names)}
    size = len(names) + 3
    conversion, null = size - 2, size - 1
    counts = np.zeros((size, size))
    for channels, conversions, _, nulls in rows:
        states = [0] + [index[channel] for channel in channels]
        for source, target in zip(states, states[1:]):
            counts[source, target] += conversions + nulls
        counts[states[-1], conversion] += conversions
        counts[states[-1], null] += nulls
    return counts


def conversion_probability(counts, removed=None):
    """Return P(absorbed in conversion | start), with state `removed` redirected to null."""
    size = counts.shape[0]
    conversion, null = size - 2, size - 1
    counts = counts.copy()
    if removed is not None:
        counts[removed, :] = 0.0
        counts[removed, null] = 1.0
    transient = list(range(size - 2))
    totals = counts[transient].sum(axis=1, keepdims=True)
    totals[totals == 0] = 1.0
    probabilities = counts[transient] / totals
    q = probabilities[:, transient]
    r = probabilities[:, conversion]
    fundamental = np.linalg.inv(np.eye(len(transient)) - q)
    return float((fundamental @ r)[0])


def markov_credits(rows, names):
    """Return removal effects, the base conversion probability and credits in both units."""
    counts = transition_counts(rows, names)
    base = conversion_probability(counts)
    effects = {name: 1.0 - conversion_probability(counts, position + 1) / base for position, name in enumerate(names)}
    total_effect = sum(effects.values())
    conversions = sum(row[1] for row in rows)
    value = sum(row[2] for row in rows if row[1] > 0)
    return {
        "conversion_probability": base,
        "removal_effects": effects,
        "conversions": {name: conversions * effect / total_effect for name, effect in effects.items()},
        "value": {name: value * effect / total_effect for name, effect in effects.items()},
    }


def channelattribution_figures(path):
    """Return ChannelAttribution's figures, or None when the package is not installed."""
    try:
        import pandas
        import ChannelAttribution
    except ImportError:
        return None
    table = pandas.read_csv(path, sep=";")
    heuristic = ChannelAttribution.heuristic_models(table, "path", "total_conversions", var_value="total_conversion_value", flg_pro=False)
    markov = ChannelAttribution.markov_model(
        table, "path", "total_conversions", var_value="total_conversion_value", var_null="total_null",
        order=1, seed=0, verbose=False, flg_pro=False,
    )
    from importlib.metadata import version

    figures = {"version": version("ChannelAttribution")}
    for _, row in heuristic.iterrows():
        figures.setdefault("heuristic", {})[row["channel_name"]] = {
            "first_touch": float(row["first_touch_conversions"]),
            "last_touch": float(row["last_touch_conversions"]),
            "linear": float(row["linear_touch_conversions"]),
        }
    for _, row in markov.iterrows():
        figures.setdefault("markov", {})[row["channel_name"]] = float(row["total_conversions"])
    return figures


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__.strip().splitlines()[-1])
    rows = read_table(sys.argv[1])
    names = sorted({channel for channels, *_ in rows for channel in channels})
    golden = {
        "source": "attribution-paths/paths.csv (ChannelAttribution package data, GPL-3.0; not in this repository)",
        "conversions": sum(row[1] for row in rows),
        "value": sum(row[2] for row in rows if row[1] > 0),
        "non_conversions": sum(row[3] for row in rows),
        "channels": names,
        "heuristic": heuristic_credits(rows, names),
        "markov": markov_credits(rows, names),
        "channelattribution": channelattribution_figures(sys.argv[1]),
    }
    with open(sys.argv[2], "w", encoding="utf-8") as handle:
        json.dump(golden, handle, indent=1, sort_keys=True)
        handle.write("\n")


if __name__ == "__main__":
    main()
