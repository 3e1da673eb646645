"""Compute the A/B experiment figures of the Hillstrom e-mail test, independently of the engine.

Reads the Hillstrom CSV, one row per customer with the columns segment, visit, conversion and
spend. It treats `segment` as the variant, "No E-Mail" as the control, `visit` as the one funnel step and
`conversion` as the conversion. For each segment: customers, visitors and converters with 95%
Wilson intervals, and spend per customer. For each e-mail segment against the control, at both
steps, it computes these:
- the difference of rates with Newcombe's hybrid score interval;
- the pooled two-sided z-test, with Holm's adjustment over the four tests;
- the probability to beat the control under Beta(1, 1) priors, by numerical integration (checked
  against the exact sum in mpmath at 50 digits);
- the mixture sequential p-value with mixing variance 1e-4. For spend: Welch's t-test. For the split: the
chi-square goodness-of-fit test against equal shares. For the calculator on the conversion: the
minimum detectable effect for the control's customers per arm and the customers per arm needed for
a 10% rise, at alpha 0.05 and power 0.8, with statsmodels' Fleiss sample size.

Usage: python3 tools/experiment_golden.py tests/fixtures/hillstrom.csv > tools/golden/experiment_hillstrom.json
"""

import json
import math
import sys

import mpmath
import numpy as np
import pandas as pd
from scipy import integrate, optimize, stats
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import (
    confint_proportions_2indep,
    proportion_confint,
    proportions_ztest,
    samplesize_proportions_2indep_onetail,
)

CONTROL = "No E-Mail"
STEPS = ["visit", "conversion"]
ALPHA = 0.05
POWER = 0.8
UPLIFT = 0.1
MIXING_VARIANCE = 1e-4


def probability_to_beat(x1, n1, x0, n0):
    """Return P(p1 > p0) for Beta(1 + x, 1 + n - x) posteriors, by integrating f1(t) F0(t) over t."""
    a1, b1, a0, b0 = 1 + x1, 1 + n1 - x1, 1 + x0, 1 + n0 - x0
    mean, spread = a1 / (a1 + b1), math.sqrt(a1 * b1 / ((a1 + b1) ** 2 * (a1 + b1 + 1)))
    low, high = max(0.0, mean - 40 * spread), min(1.0, mean + 40 * spread)
    points = [mean + k * spread for k in range(-8, 9) if low < mean + k * spread < high]
    value, _ = integrate.quad(
        lambda t: stats.beta.pdf(t, a1, b1) * stats.beta.cdf(t, a0, b0),
        low, high, points=points, epsabs=1e-14, epsrel=1e-13, limit=1000,
    )
    return value


def probability_to_beat_exact(x1, n1, x0, n0):
    """Return the same probability from the closed-form sum, at 50 significant digits."""
    mpmath.mp.dps = 50
    a1, b1, a0, b0 = 1 + x1, 1 + n1 - x1, 1 + x0, 1 + n0 - x0
    total = mpmath.mpf(0)
    for i in range(a1):
        total += mpmath.beta(a0 + i, b0 + b1) / ((b1 + i) * mpmath.beta(1 + i, b1) * mpmath.beta(a0, b0))
    return float(total)


def msprt_p_value(x1, n1, x0, n0):
    p1, p0 = x1 / n1, x0 / n0
    variance = p1 * (1 - p1) / n1 + p0 * (1 - p0) / n0
    difference = p1 - p0
    ln_ratio = 0.5 * math.log(variance / (variance + MIXING_VARIANCE)) + MIXING_VARIANCE * difference**2 / (
        2 * variance * (variance + MIXING_VARIANCE)
    )
    return min(1.0, math.exp(-ln_ratio))


def people_needed(baseline, effect):
    return samplesize_proportions_2indep_onetail(effect, baseline, POWER, alpha=ALPHA, alternative="two-sided")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    data = pd.read_csv(sys.argv[1])
    names = sorted(data["segment"].unique())
    groups = {name: data[data["segment"] == name] for name in names}

    variants = []
    for name in names:
        group = groups[name]
        steps = []
        for step in STEPS:
            count = int(group[step].sum())
            low, high = proportion_confint(count, len(group), alpha=ALPHA, method="wilson")
            steps.append({"people": count, "rate": count / len(group), "lower": float(low), "upper": float(high)})
        variants.append({"name": name, "people": len(group), "steps": steps, "revenue_per_person": float(group["spend"].mean()), "revenue_total": float(group["spend"].sum())})

    control = groups[CONTROL]
    comparisons = []
    for name in names:
        if name == CONTROL:
            continue
        group = groups[name]
        for index, step in enumerate(STEPS):
            x1, n1, x0, n0 = int(group[step].sum()), len(group), int(control[step].sum()), len(control)
            z, p_value = proportions_ztest([x1, x0], [n1, n0])
            low, high = confint_proportions_2indep(x1, n1, x0, n0, method="newcomb", compare="diff", alpha=ALPHA)
            beat = probability_to_beat(x1, n1, x0, n0)
            exact = probability_to_beat_exact(x1, n1, x0, n0)
            assert abs(beat - exact) < 1e-10, (name, step, beat, exact)
            comparisons.append({
                "variant": name, "step": index, "difference": x1 / n1 - x0 / n0, "lower": float(low), "upper": float(high),
                "z": float(z), "p_value": float(p_value), "probability_to_beat": exact,
                "always_valid_p_value": msprt_p_value(x1, n1, x0, n0),
            })
    holm = multipletests([row["p_value"] for row in comparisons], method="holm")[1]
    for row, adjusted in zip(comparisons, holm):
        row["holm_p_value"] = float(adjusted)

    revenue = []
    for name in names:
        if name == CONTROL:
            continue
        test = stats.ttest_ind(groups[name]["spend"], control["spend"], equal_var=False)
        revenue.append({"variant": name, "difference": float(groups[name]["spend"].mean() - control["spend"].mean()), "t": float(test.statistic), "degrees_of_freedom": float(test.df), "p_value": float(test.pvalue)})

    observed = [len(groups[name]) for name in names]
    srm = stats.chisquare(observed)

    baseline = control["conversion"].mean()
    per_arm = len(control)
    # The smallest rise that per_arm customers per arm detect: the root of needed(effect) = per_arm.
    effect = optimize.brentq(lambda effect: people_needed(baseline, effect) - per_arm, 1e-9, 1 - baseline - 1e-12, xtol=1e-15, rtol=1e-15)
    needed = math.ceil(people_needed(baseline, baseline * UPLIFT))

    result = {
        "control": CONTROL,
        "steps": STEPS,
        "variants": variants,
        "comparisons": comparisons,
        "revenue": revenue,
        "sample_ratio": {"chi_square": float(srm.statistic), "p_value": float(srm.pvalue)},
        "calculator": {"baseline_rate": float(baseline), "people_per_variant": per_arm, "minimum_detectable_effect": effect, "people_needed_per_variant": needed},
    }
    json.dump(result, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
