"""Write golden values for the period comparisons and the weekly change points.

Usage: python3 tools/trends_golden.py > tools/golden/trends_fixture.json

No input file: the cases are fixed below. For each pair of counts, statsmodels' proportions_ztest
(pooled standard error) gives z and the two-sided p-value, and confint_proportions_2indep with
method "wald" the 95% interval of the difference. For each pair of rows, scipy's chi2_contingency
without continuity correction, on the columns that are not empty in both rows, gives the
chi-square test of homogeneity. statsmodels' multipletests gives the Benjamini–Hochberg q-values
of all those p-values together.

For each weekly series of (successes, trials), this script finds the change points with its own
PELT (Killick, Fearnhead and Eckley, 2012) on the binomial cost divided by the dispersion, with
pruning, and checks that exhaustive optimal partitioning agrees. The dispersion is the squared
1.4826 times median absolute standardised difference of consecutive weeks with trials, at least 1.
It also draws the null maxima of the largest single-split likelihood ratio from SplitMix64 and
Box–Muller normals, as src/analysis/trends/changepoint.rs does, and writes their quantiles.
"""

import json
import math
import sys

import numpy as np
from scipy.stats import chi2_contingency
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import confint_proportions_2indep, proportions_ztest

PROPORTIONS = [
    (50, 100, 30, 100),
    (120, 480, 51, 470),
    (3, 40, 9, 35),
    (812, 3012, 790, 2950),
    (0, 25, 4, 30),
]
HOMOGENEITY = [
    ([741, 726, 701, 679], [702, 731, 689, 730]),
    ([12, 0, 30, 41, 7], [20, 0, 25, 52, 3]),
    ([5, 15], [15, 5]),
]
SERIES = {
    "shift": [(30, 100), (27, 95), (33, 110), (29, 104), (31, 99), (26, 97), (34, 108), (28, 101),
              (18, 103), (16, 96), (21, 112), (17, 99), (19, 94), (15, 100), (20, 107), (18, 98)],
    "flat": [(25, 100), (27, 100), (23, 100), (26, 100), (24, 100), (25, 100), (22, 100), (28, 100),
             (26, 100), (24, 100)],
    "noisy": [(10, 100), (40, 100), (12, 100), (38, 100), (11, 100), (42, 100), (9, 100), (39, 100),
              (25, 100), (26, 100), (5, 100), (6, 100)],
    "gaps": [(0, 0), (12, 40), (11, 38), (0, 0), (14, 41), (13, 39), (3, 42), (4, 40), (2, 37), (5, 43)],
}
PENALTY = 10.0
MIN_LENGTH = 2
SEED = 7
SIMULATIONS = 1999
LEVELS = [0.05, 0.0125]
MASK = (1 << 64) - 1


def cost(successes, trials):
    """-2 binomial log-likelihood at the pooled rate, without binomial coefficients."""
    if trials <= 0:
        return 0.0
    term = lambda count: count * math.log(count / trials) if count > 0 else 0.0
    return -2.0 * (term(successes) + term(trials - successes))


def segment_cost(series, start, end, dispersion):
    successes = sum(week[0] for week in series[start:end])
    trials = sum(week[1] for week in series[start:end])
    return cost(successes, trials) / dispersion


def dispersion(series):
    weeks = [week for week in series if week[1] > 0]
    successes = sum(week[0] for week in weeks)
    trials = sum(week[1] for week in weeks)
    if trials == 0:
        return 1.0
    pooled = successes / trials
    variance = pooled * (1 - pooled)
    if variance <= 0:
        return 1.0
    differences = [
        abs((b[0] / b[1] - a[0] / a[1]) / math.sqrt(variance * (1 / a[1] + 1 / b[1])))
        for a, b in zip(weeks, weeks[1:])
    ]
    if len(differences) < 6:
        return 1.0
    spread = float(np.median(differences)) * 1.4826
    return max(spread * spread, 1.0)


def backtrack(previous, weeks):
    changes = []
    end = weeks
    while end > 0:
        end = previous[end]
        if end > 0:
            changes.append(end)
    return sorted(changes)


def pelt(series, penalty, disp, min_length):
    """PELT with pruning: candidates whose cost already exceeds the optimum are dropped."""
    weeks = len(series)
    best = [math.inf] * (weeks + 1)
    previous = [0] * (weeks + 1)
    best[0] = -penalty
    candidates = []
    for end in range(min_length, weeks + 1):
        newest = end - min_length
        if math.isfinite(best[newest]):
            candidates.append(newest)
        totals = {start: best[start] + segment_cost(series, start, end, disp) + penalty for start in candidates}
        for start in sorted(candidates):
            if totals[start] < best[end]:
                best[end] = totals[start]
                previous[end] = start
        candidates = [start for start in candidates if totals[start] - penalty <= best[end]]
    return backtrack(previous, weeks) if weeks >= min_length else []


def optimal_partitioning(series, penalty, disp, min_length):
    weeks = len(series)
    best = [math.inf] * (weeks + 1)
    previous = [0] * (weeks + 1)
    best[0] = -penalty
    for end in range(min_length, weeks + 1):
        for start in range(0, end - min_length + 1):
            if math.isfinite(best[start]):
                total = best[start] + segment_cost(series, start, end, disp) + penalty
                if total < best[end]:
                    best[end] = total
                    previous[end] = start
    return backtrack(previous, weeks) if weeks >= min_length else []


def split_mix(state):
    state = (state + 0x9E3779B97F4A7C15) & MASK
    z = state
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return state, z ^ (z >> 31)


def null_maxima(trials, min_length, seed):
    state = seed
    roots = [math.sqrt(count) for count in trials]
    total = float(sum(trials))
    maxima = []

    def uniform():
        nonlocal state
        state, value = split_mix(state)
        return ((value >> 11) + 1) / float(1 << 53)

    for _ in range(SIMULATIONS):
        sums = [0.0]
        weights = [0.0]
        for root in roots:
            radius = math.sqrt(-2.0 * math.log(uniform()))
            normal = radius * math.cos(2.0 * math.pi * uniform())
            sums.append(sums[-1] + root * normal)
            weights.append(weights[-1] + root * root)
        largest = 0.0
        for at in range(min_length, len(trials) - min_length + 1):
            before, after = weights[at], total - weights[at]
            if before > 0 and after > 0:
                left = sums[at]
                right = sums[-1] - left
                largest = max(largest, left * left / before + right * right / after - sums[-1] ** 2 / total)
        maxima.append(largest)
    return sorted(maxima)


def upper_quantile(sorted_values, level):
    exceed = math.floor(len(sorted_values) * level)
    return sorted_values[len(sorted_values) - 1 - min(exceed, len(sorted_values) - 1)]


def main():
    proportions = []
    p_values = []
    for a_count, a_total, b_count, b_total in PROPORTIONS:
        z, p = proportions_ztest([b_count, a_count], [b_total, a_total])
        lower, upper = confint_proportions_2indep(b_count, b_total, a_count, a_total, method="wald", compare="diff")
        proportions.append({"counts": [a_count, a_total, b_count, b_total], "z": z, "p_value": p, "lower": lower, "upper": upper})
        p_values.append(p)
    homogeneity = []
    for a, b in HOMOGENEITY:
        table = np.array([[x, y] for x, y in zip(a, b) if x + y > 0]).T
        chi_square, p, dof, _ = chi2_contingency(table, correction=False)
        homogeneity.append({"a": a, "b": b, "chi_square": chi_square, "degrees_of_freedom": int(dof), "p_value": p})
        p_values.append(p)
    q_values = multipletests(p_values, method="fdr_bh")[1].tolist()

    series_out = []
    for name, series in SERIES.items():
        disp = dispersion(series)
        changes = pelt(series, PENALTY, disp, MIN_LENGTH)
        exhaustive = optimal_partitioning(series, PENALTY, disp, MIN_LENGTH)
        if changes != exhaustive:
            sys.exit(f"{name}: PELT found {changes} but optimal partitioning {exhaustive}")
        bounds = [0] + changes + [len(series)]
        ratios = [
            segment_cost(series, bounds[i], bounds[i + 2], disp)
            - segment_cost(series, bounds[i], bounds[i + 1], disp)
            - segment_cost(series, bounds[i + 1], bounds[i + 2], disp)
            for i in range(len(changes))
        ]
        maxima = null_maxima([week[1] for week in series], MIN_LENGTH, SEED)
        series_out.append({
            "name": name,
            "series": series,
            "dispersion": disp,
            "changes": changes,
            "likelihood_ratios": ratios,
            "quantiles": [{"level": level, "value": upper_quantile(maxima, level)} for level in LEVELS],
        })
    json.dump({
        "proportions": proportions,
        "homogeneity": homogeneity,
        "q_values": q_values,
        "penalty": PENALTY,
        "min_length": MIN_LENGTH,
        "seed": SEED,
        "series": series_out,
    }, sys.stdout, indent=1)


main()
