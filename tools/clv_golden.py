"""Write BG/NBD and Gamma-Gamma fits of the CDNOW sample with lifetimes, as golden values.

Usage: python3 tools/clv_golden.py CDNOW_sample.txt > tools/golden/clv_cdnow.json

lifetimes (0.11.3, pip install lifetimes) has the two fitters; lifelines, by the same author, has
only survival models.

The file has whitespace-separated columns customer, customer_index, date (YYYYMMDD), cds and
amount. Purchases are counted per customer and day, with a day's amounts summed. The calibration
period ends on 1997-09-30, inclusive. Frequency is the number of purchase days after the first,
recency the weeks from the first to the last purchase day, and age the weeks from the first purchase
day to the cut-off. The monetary value is the mean amount of the repeat purchase days.
"""

import json
import sys
from datetime import date

from lifetimes import BetaGeoFitter, GammaGammaFitter
import numpy as np
import pandas as pd

CUTOFF = date(1997, 9, 30)
HORIZON_WEEKS = 52.0


def read_days(path):
    """Return each customer's purchase days in order, with the amount summed per day."""
    customers = {}
    with open(path, encoding="utf-8") as file:
        for line in file:
            fields = line.split()
            if len(fields) != 5:
                continue
            day = date(int(fields[2][:4]), int(fields[2][4:6]), int(fields[2][6:]))
            days = customers.setdefault(fields[0], {})
            days[day] = days.get(day, 0.0) + float(fields[4])
    return {customer: sorted(days.items()) for customer, days in customers.items()}


def summarise(customers):
    rows = []
    for customer, days in customers.items():
        first = days[0][0]
        if first > CUTOFF:
            continue
        calibration = [(day, amount) for day, amount in days if day <= CUTOFF]
        repeats = [amount for _, amount in calibration[1:]]
        rows.append({
            "customer": customer,
            "frequency": len(calibration) - 1,
            "recency": (calibration[-1][0] - first).days / 7,
            "T": (CUTOFF - first).days / 7,
            "monetary_value": sum(repeats) / len(repeats) if repeats else 0.0,
            "holdout": len(days) - len(calibration),
        })
    return pd.DataFrame(rows).set_index("customer")


def bg_nbd_log_likelihood(bgf, summary):
    """Return the summed log-likelihood on unscaled weeks; lifetimes stores a mean on its own
    rescaled time axis, which differs by a constant."""
    log_params = np.log([bgf.params_[name] for name in ["r", "alpha", "a", "b"]])
    weights = np.ones(len(summary))
    mean = BetaGeoFitter._negative_log_likelihood(
        log_params, summary["frequency"].values, summary["recency"].values, summary["T"].values, weights, 0.0)
    return float(-mean * len(summary))


def main():
    summary = summarise(read_days(sys.argv[1]))
    bgf = BetaGeoFitter(penalizer_coef=0.0)
    bgf.fit(summary["frequency"], summary["recency"], summary["T"])
    repeaters = summary[(summary["frequency"] > 0) & (summary["monetary_value"] > 0)]
    ggf = GammaGammaFitter(penalizer_coef=0.0)
    ggf.fit(repeaters["frequency"], repeaters["monetary_value"])

    expected = bgf.conditional_expected_number_of_purchases_up_to_time(
        HORIZON_WEEKS, summary["frequency"], summary["recency"], summary["T"])
    value = ggf.conditional_expected_average_profit(summary["frequency"], summary["monetary_value"])
    top = (expected * value).sort_values(ascending=False).head(5)
    golden = {
        "cutoff": CUTOFF.isoformat(),
        "customers": len(summary),
        "repeat_customers": int((summary["frequency"] > 0).sum()),
        "bg_nbd": {name: float(bgf.params_[name]) for name in ["r", "alpha", "a", "b"]},
        "bg_nbd_log_likelihood": bg_nbd_log_likelihood(bgf, summary),
        "gamma_gamma": {name: float(ggf.params_[name]) for name in ["p", "q", "v"]},
        "gamma_gamma_customers": len(repeaters),
        "horizon": HORIZON_WEEKS,
        "top_customers": [
            {"person": customer, "expected_purchases": float(expected[customer]), "clv": float(top[customer])}
            for customer in top.index
        ],
    }
    json.dump(golden, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
