"""Compute the per-segment figures of the Hillstrom e-mail campaign test with pandas.

Usage: python3 tools/hillstrom_golden.py tests/fixtures/hillstrom.csv > tools/golden/hillstrom.json

The file has one row per customer: `segment` is the group (Mens E-Mail, Womens E-Mail, No
E-Mail), `visit` and `conversion` are 0/1 outcomes and `spend` is the amount spent. For each
segment and for the whole file this writes the customers, the visitors and converters, the visit
and conversion rates and the spend per customer, independently of the engine.
"""

import json
import sys

import pandas as pd


def figures(frame):
    """Count customers and outcomes, and divide by the customers."""
    customers = len(frame)
    return {
        "customers": customers,
        "visitors": int(frame["visit"].sum()),
        "converters": int(frame["conversion"].sum()),
        "visit_rate": float(frame["visit"].mean()),
        "conversion_rate": float(frame["conversion"].mean()),
        "spend": float(frame["spend"].sum()),
        "spend_per_customer": float(frame["spend"].mean()),
    }


def main():
    frame = pd.read_csv(sys.argv[1])
    golden = {
        "total": figures(frame),
        "segments": {segment: figures(group) for segment, group in frame.groupby("segment")},
    }
    json.dump(golden, sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
