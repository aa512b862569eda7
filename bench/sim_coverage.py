"""Coverage of anjeon's intervals by simulation, before and after issue #12.

    python bench/sim_coverage.py            # rate intervals under clustering (~1 min)

Beta-binomial clusters (cluster rate ~ Beta with mean mu and intra-cluster correlation
icc); prints, per scenario, the share of data sets whose 95 % interval covers mu and the
mean width, for the old method (Wilson at the cluster-bootstrap design effect) and the
current one (``clustered_rate``). Seeds as in tests/test_analysis_stats.py.
"""

from __future__ import annotations

import numpy as np

from anjeon.analysis._stats import Estimate, bootstrap_rates, clustered_rate, wilson

SCENARIOS = [  # clusters, cluster sizes, mu, icc
    (30, [4], 0.2, 0.3),
    (20, [6], 0.3, 0.5),
    (40, [3], 0.1, 0.4),
    (15, [8], 0.2, 0.4),
    (20, [1, 2, 3, 6, 10], 0.2, 0.4),
    (30, [1, 1, 2, 4, 12], 0.1, 0.3),
    (60, [2], 0.3, 0.5),
]


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


def coverage(
    clusters: int, sizes: list[int], mu: float, icc: float, old: bool, reps: int
) -> tuple[float, float]:
    rng = np.random.default_rng(clusters * 1000 + len(sizes))
    a, b = mu * (1 - icc) / icc, (1 - mu) * (1 - icc) / icc
    covered, width = 0, 0.0
    for r in range(reps):
        m = rng.choice(sizes, clusters)
        k = rng.binomial(m, rng.beta(a, b, clusters))
        e = old_interval(k, m, r) if old else clustered_rate(k, m).estimate
        assert e.ci_low is not None and e.ci_high is not None
        covered += e.ci_low <= mu <= e.ci_high
        width += e.ci_high - e.ci_low
    return covered / reps, width / reps


if __name__ == "__main__":
    print("clusters sizes mu icc | before: coverage width | now: coverage width")
    for c, sizes, mu, icc in SCENARIOS:
        before = coverage(c, sizes, mu, icc, old=True, reps=400)
        now = coverage(c, sizes, mu, icc, old=False, reps=1000)
        print(c, sizes, mu, icc, f"| {before[0]:.3f} {before[1]:.3f} | {now[0]:.3f} {now[1]:.3f}")
