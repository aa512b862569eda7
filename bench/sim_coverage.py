"""Coverage of anjeon's intervals by simulation, before and after issue #12.

    python bench/sim_coverage.py            # rate intervals under clustering (~1 min)

Beta-binomial clusters (cluster rate ~ Beta with mean mu and intra-cluster correlation
icc); prints, per scenario, the share of data sets whose 95 % interval covers mu and the
mean width, for the old method (Wilson at the cluster-bootstrap design effect) and the
current one (``clustered_rate``). The scenarios and the draw are anjeon.testing's, as in
tests/test_analysis_stats.py.
"""

from __future__ import annotations

import numpy as np

from anjeon.analysis._stats import Estimate, bootstrap_rates, clustered_rate, wilson
from anjeon.testing import COVERAGE_SCENARIOS, simulate_coverage


def old_interval(k: np.ndarray, m: np.ndarray, seed: int) -> Estimate:
    """The method before #12: Wilson at n / deff, deff from a 1,000-replicate bootstrap,
    forced to 1 at 0 events."""
    total_k, total_n = int(k.sum()), int(m.sum())
    s = bootstrap_rates(k, m, 1000, seed)
    s = s[~np.isnan(s)]
    p = total_k / total_n
    var_bin = p * (1 - p) / total_n
    deff = 1.0 if var_bin == 0 else max(1.0, float(np.var(s, ddof=1)) / var_bin)
    return wilson(total_k / deff, total_n / deff, n_report=total_n)


def _current(k: np.ndarray, m: np.ndarray, seed: int) -> Estimate:
    return clustered_rate(k, m).estimate


if __name__ == "__main__":
    print("clusters sizes mu icc | before: coverage width | now: coverage width")
    for c, sizes, mu, icc in COVERAGE_SCENARIOS:
        before = simulate_coverage(old_interval, c, sizes, mu, icc, reps=400)
        now = simulate_coverage(_current, c, sizes, mu, icc, reps=1000)
        b, n = f"{before[0]:.3f} {before[1]:.3f}", f"{now[0]:.3f} {now[1]:.3f}"
        print(c, list(sizes), mu, icc, f"| {b} | {n}")
