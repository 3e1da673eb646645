"""Compute the prediction figures of a CSV independently of the engine, for tests/predict.rs.

The CSV needs the columns user_id, timestamp (ISO 8601 UTC), event and channel. The figures
follow the definitions in docs/metrics.md ("Prediction") with the default options: the cut at
the ceil(0.8 n)-th event time, Markov orders 0 to 4 with back-off, the order chosen on the
validation slice, and scikit-learn's L2 logistic regression (C = 1) on standardised features of
the people not converted before the cut, with 30% of them held out by the FNV-1a hash of their id.
It writes two settings: the default cut and horizon, and the cut and horizon of EXPLICIT.

Usage: python3 tools/predict_golden.py tests/fixtures/predict-fixture.csv purchase \
           > tools/golden/predict_fixture.json
"""

import json
import math
import sys

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import brier_score_loss, log_loss, roc_auc_score
from sklearn.preprocessing import StandardScaler

CUT_SHARE = 0.8
MAX_ORDER = 4
TEST_PERCENT = 30
C = 1.0
TOP_EVENTS = 10
TOP_CHANNELS = 5
SESSION_GAP_MS = 30 * 60 * 1000
DAY_MS = 86_400_000
RECENT_MS = 30 * DAY_MS
# A cut given as a date (UTC midnight) with a horizon of 14 days, which leaves out the later
# purchases of the fixture.
EXPLICIT = {"cut": "2024-04-10", "horizon": "14d"}


def share_time(times, share):
    ordered = sorted(times)
    rank = min(max(math.ceil(share * len(ordered)), 1), len(ordered))
    return ordered[rank - 1]


def fnv1a(text):
    value = 0xCBF29CE484222325
    for byte in text.encode("utf-8"):
        value = ((value ^ byte) * 0x100000001B3) % (1 << 64)
    return value


# ---- Markov next step ----


def count_contexts(sequences):
    """Map each context tuple (0 to MAX_ORDER labels) to a Counter-like dict of next labels."""
    table = {}
    for sequence in sequences:
        for position in range(1, len(sequence)):
            for order in range(0, min(MAX_ORDER, position) + 1):
                context = tuple(sequence[position - order:position])
                nexts = table.setdefault(context, {})
                nexts[sequence[position]] = nexts.get(sequence[position], 0) + 1
    return table


def ranked(nexts):
    # Most frequent first; equal counts go to the name that sorts first.
    return [name for name, _ in sorted(nexts.items(), key=lambda item: (-item[1], item[0]))]


def predict(table, history, order):
    for length in range(min(order, len(history)), -1, -1):
        context = tuple(history[len(history) - length:]) if length else ()
        if context in table:
            return ranked(table[context])
    return []


def score(table, items):
    """Top-1 and top-3 hits per order over (sequence, position) items, with wins and losses
    against order 0."""
    hits = [{"positions": 0, "top1": 0, "top3": 0, "wins": 0, "losses": 0} for _ in range(MAX_ORDER + 1)]
    for sequence, position in items:
        actual = sequence[position]
        history = sequence[:position]
        baseline = predict(table, history, 0)[:1] == [actual]
        for order in range(MAX_ORDER + 1):
            ranking = predict(table, history, order)
            top1 = ranking[:1] == [actual]
            hits[order]["positions"] += 1
            hits[order]["top1"] += top1
            hits[order]["top3"] += actual in ranking[:3]
            hits[order]["wins"] += top1 and not baseline
            hits[order]["losses"] += baseline and not top1
    return hits


def next_step(df, cut):
    by_person = {person: group for person, group in df.groupby("user_id", sort=False)}
    training = {person: group[group.ms < cut] for person, group in by_person.items()}
    validation_cut = share_time(pd.concat(training.values()).ms.tolist(), CUT_SHARE)

    early = count_contexts([list(group.event[group.ms < validation_cut]) for group in training.values()])
    validation_items = []
    for group in training.values():
        sequence = list(group.event)
        start = max(1, int((group.ms < validation_cut).sum()))
        validation_items.extend((sequence, position) for position in range(start, len(sequence)))
    validation = score(early, validation_items)

    model = count_contexts([list(group.event) for group in training.values()])
    test_items = []
    for person, group in by_person.items():
        sequence = list(group.event)
        start = max(1, len(training[person]))
        test_items.extend((sequence, position) for position in range(start, len(sequence)))
    test = score(model, test_items)

    chosen = max(range(MAX_ORDER + 1), key=lambda order: (validation[order]["top1"], -order))
    disagreements = test[chosen]["wins"] + test[chosen]["losses"]
    z = (test[chosen]["wins"] - test[chosen]["losses"]) / math.sqrt(disagreements) if disagreements else None
    return {
        "validation_cut_ms": int(validation_cut),
        "validation_positions": validation[0]["positions"],
        "test_positions": test[0]["positions"],
        "chosen_order": chosen,
        "baseline_event": ranked(model[()])[0],
        "mcnemar_z": z,
        "orders": [
            {
                "order": order,
                "contexts": sum(1 for context in model if len(context) == order),
                "validation_top1_hits": validation[order]["top1"],
                "top1_hits": test[order]["top1"],
                "top3_hits": test[order]["top3"],
                "wins": test[order]["wins"],
                "losses": test[order]["losses"],
            }
            for order in range(MAX_ORDER + 1)
        ],
    }


# ---- Conversion propensity ----


def top_names(counts):
    return [name for name, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def first_channel(group):
    channels = group.channel.dropna()
    channels = channels[channels != ""]
    return channels.iloc[0] if len(channels) else None


def features(group, as_of, events, channels):
    times = group.ms.to_numpy()
    row = {"log_events": math.log1p(len(group))}
    counts = group.event.value_counts()
    for name in events:
        row[f"log_count:{name}"] = math.log1p(int(counts.get(name, 0)))
    present = group.channel.dropna()
    row["distinct_channels"] = present[present != ""].nunique()
    first = first_channel(group)
    for name in channels:
        row[f"first_channel:{name}"] = 1.0 if first == name else 0.0
    days = len(set(int(t) // DAY_MS for t in times))
    row["days_active"] = days
    row["events_per_day"] = len(group) / days
    row["recency_days"] = (as_of - times[-1]) / DAY_MS
    row["tenure_days"] = (as_of - times[0]) / DAY_MS
    row["sessions"] = 1 + int((np.diff(times) > SESSION_GAP_MS).sum())
    return row


def delong(scores, labels):
    """AUC and DeLong's 95% interval from the pairwise comparison matrix."""
    positives = scores[labels == 1]
    negatives = scores[labels == 0]
    psi = (positives[:, None] > negatives[None, :]) + 0.5 * (positives[:, None] == negatives[None, :])
    v10 = psi.mean(axis=1)
    v01 = psi.mean(axis=0)
    auc = psi.mean()
    variance = v10.var(ddof=1) / len(positives) + v01.var(ddof=1) / len(negatives)
    half = 1.959963984540054 * math.sqrt(variance)
    return auc, max(0.0, auc - half), min(1.0, auc + half)


def calibration(predictions, labels):
    order = np.argsort(predictions, kind="stable")
    n = len(order)
    rows = []
    for group in range(10):
        members = order[group * n // 10:(group + 1) * n // 10]
        if len(members):
            rows.append({
                "people": int(len(members)),
                "mean_predicted": float(predictions[members].mean()),
                "observed_rate": float(labels[members].mean()),
            })
    return rows


def propensity(df, cut, data_end, conversion, horizon):
    rows = []
    for person, group in df.groupby("user_id", sort=False):
        observed = group[group.ms < cut]
        converted = group.ms[group.event == conversion]
        first_conversion = converted.iloc[0] if len(converted) else None
        if observed.empty or (first_conversion is not None and first_conversion < cut):
            continue
        label = first_conversion is not None and first_conversion <= cut + horizon
        rows.append((person, observed, int(label), fnv1a(person) % 100 < TEST_PERCENT))

    training = [row for row in rows if not row[3]]
    test = [row for row in rows if row[3]]
    event_counts, channel_counts = {}, {}
    for _, observed, _, _ in training:
        for name, count in observed.event[observed.event != conversion].value_counts().items():
            event_counts[name] = event_counts.get(name, 0) + int(count)
        first = first_channel(observed)
        if first is not None:
            channel_counts[first] = channel_counts.get(first, 0) + 1
    events = top_names(event_counts)[:TOP_EVENTS]
    channels = top_names(channel_counts)[:TOP_CHANNELS]

    train_x = pd.DataFrame([features(observed, cut, events, channels) for _, observed, _, _ in training])
    test_x = pd.DataFrame([features(observed, cut, events, channels) for _, observed, _, _ in test])[train_x.columns]
    train_y = np.array([row[2] for row in training])
    test_y = np.array([row[2] for row in test])
    scaler = StandardScaler().fit(train_x.to_numpy(dtype=float))
    model = LogisticRegression(C=C, solver="newton-cholesky", tol=1e-12, max_iter=1000)
    model.fit(scaler.transform(train_x.to_numpy(dtype=float)), train_y)
    predictions = model.predict_proba(scaler.transform(test_x.to_numpy(dtype=float)))[:, 1]
    base_rate = train_y.mean()
    baseline = np.full(len(test_y), base_rate)
    auc, low, high = delong(predictions, test_y)
    return {
        "horizon_ms": int(horizon),
        "features": list(train_x.columns),
        "weights": model.coef_[0].tolist(),
        "means": scaler.mean_.tolist(),
        "scales": scaler.scale_.tolist(),
        "intercept": float(model.intercept_[0]),
        "training_people": len(training),
        "training_converters": int(train_y.sum()),
        "test_people": len(test),
        "test_converters": int(test_y.sum()),
        "base_rate": float(base_rate),
        "auc": float(roc_auc_score(test_y, predictions)),
        "auc_pairwise": float(auc),
        "auc_ci_low": float(low),
        "auc_ci_high": float(high),
        "log_loss": float(log_loss(test_y, predictions)),
        "brier": float(brier_score_loss(test_y, predictions)),
        "baseline_log_loss": float(log_loss(test_y, baseline)),
        "baseline_brier": float(brier_score_loss(test_y, baseline)),
        "calibration": calibration(predictions, test_y),
    }


def open_journeys(df, data_end, conversion):
    converted = set(df.user_id[df.event == conversion])
    last = df.groupby("user_id").ms.max()
    return int(sum(1 for person, time in last.items() if person not in converted and time >= data_end - RECENT_MS))


def main():
    path, conversion = sys.argv[1], sys.argv[2]
    df = pd.read_csv(path, dtype={"user_id": str, "event": str, "channel": str}, keep_default_na=False)
    df["ms"] = pd.to_datetime(df.timestamp, utc=True).astype("int64") // 1_000_000
    df["channel"] = df.channel.replace("", None)
    # Journey order: time, then the order of the rows in the file.
    df = df.sort_values("ms", kind="stable").reset_index(drop=True)
    data_end = int(df.ms.max())
    settings = []
    for options in [{"cut": None, "horizon": None}, EXPLICIT]:
        if options["cut"] is None:
            cut = share_time(df.ms.tolist(), CUT_SHARE)
            horizon = data_end - cut
        else:
            cut = int(pd.Timestamp(options["cut"], tz="UTC").value // 1_000_000)
            horizon = int(options["horizon"].rstrip("d")) * DAY_MS
        settings.append({
            "options": options,
            "cut_ms": int(cut),
            "training_events": int((df.ms < cut).sum()),
            "test_events": int((df.ms >= cut).sum()),
            "next_step": next_step(df, cut),
            "propensity": propensity(df, cut, data_end, conversion, horizon),
            "open_total": open_journeys(df, data_end, conversion),
        })
    json.dump({"settings": settings}, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
