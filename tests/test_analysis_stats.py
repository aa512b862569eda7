"""The statistics against scipy and against simulation."""

from __future__ import annotations

import random

import numpy as np
import pytest
from scipy import stats

from anjeon.analysis._grades import describe_probabilities, grade, grade_probabilities
from anjeon.analysis._stats import (
    PairedTable,
    bootstrap_rates,
    mcnemar_exact,
    paired_difference,
    percentile_ci,
    wilson,
)


@pytest.mark.parametrize("k,n", [(0, 1), (0, 10), (3, 10), (10, 10), (17, 250), (999, 1000)])
def test_wilson_matches_scipy(k: int, n: int) -> None:
    ref = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
    est = wilson(k, n)
    assert est.value == pytest.approx(k / n)
    assert est.ci_low == pytest.approx(ref.low, abs=1e-9)
    assert est.ci_high == pytest.approx(ref.high, abs=1e-9)


def test_wilson_empty() -> None:
    assert wilson(0, 0).value is None


@pytest.mark.parametrize(
    "b,c", [(0, 0), (1, 0), (5, 2), (3, 12), (20, 20), (40, 61), (480, 560), (2400, 2555)]
)
def test_mcnemar_exact_matches_scipy(b: int, c: int) -> None:
    t = PairedTable(both=7, only_a=b, only_b=c, neither=11)
    expected = 1.0 if b + c == 0 else stats.binomtest(b, b + c, 0.5).pvalue
    assert mcnemar_exact(t) == pytest.approx(expected, rel=1e-9)


def test_paired_difference_point_and_bounds() -> None:
    t = PairedTable.from_pairs([(True, True)] * 10 + [(True, False)] * 6 + [(False, True)] * 2
                               + [(False, False)] * 22)  # fmt: skip
    e = paired_difference(t)
    assert e.value == pytest.approx((16 - 12) / 40)
    assert e.ci_low is not None and e.ci_high is not None
    assert -1 <= e.ci_low < e.value < e.ci_high <= 1


def test_paired_difference_coverage_by_simulation() -> None:
    """A 95 % interval should cover the true difference about 95 % of the time."""
    rng = random.Random(7)
    p_both, p_a, p_b = 0.15, 0.20, 0.08  # true difference 0.12
    true = p_a - p_b
    covered = 0
    runs = 1500
    for _ in range(runs):
        pairs = []
        for _ in range(80):
            u = rng.random()
            if u < p_both:
                pairs.append((True, True))
            elif u < p_both + p_a:
                pairs.append((True, False))
            elif u < p_both + p_a + p_b:
                pairs.append((False, True))
            else:
                pairs.append((False, False))
        e = paired_difference(PairedTable.from_pairs(pairs))
        assert e.ci_low is not None and e.ci_high is not None
        covered += e.ci_low <= true <= e.ci_high
    assert 0.92 <= covered / runs <= 0.98


def test_cluster_bootstrap_is_wider_for_correlated_clusters() -> None:
    # 50 clusters of 4 identical outcomes vs 200 independent ones: same rate, wider CI
    clustered = bootstrap_rates([4] * 15 + [0] * 35, [4] * 50, seed=1)
    independent = bootstrap_rates([1] * 60 + [0] * 140, [1] * 200, seed=1)
    lo_c, hi_c = percentile_ci(clustered) or (0, 0)
    lo_i, hi_i = percentile_ci(independent) or (0, 0)
    assert np.nanmean(clustered) == pytest.approx(0.3, abs=0.02)
    assert (hi_c - lo_c) > 1.5 * (hi_i - lo_i)


def test_bootstrap_is_deterministic() -> None:
    a = bootstrap_rates([1, 0, 2], [2, 2, 2], replicates=50, seed=3)
    b = bootstrap_rates([1, 0, 2], [2, 2, 2], replicates=50, seed=3)
    assert np.array_equal(a, b)


@pytest.mark.parametrize(
    "u,u_ref,expected",
    [
        (0.0005, 0.2, "Excellent"),
        (0.001, 0.0, "Excellent"),
        (0.05, 0.2, "Very Good"),
        (0.1, 0.2, "Very Good"),
        (0.15, 0.2, "Good"),
        (0.3, 0.2, "Fair"),
        (0.6, 0.2, "Fair"),
        (0.61, 0.2, "Poor"),
        (0.01, 0.0, "Poor"),
    ],
)
def test_grade_rules(u: float, u_ref: float, expected: str) -> None:
    assert grade(u, u_ref) == expected


def test_grade_probabilities() -> None:
    samples = np.array([0.15] * 82 + [0.35] * 18)
    probs = grade_probabilities(samples, 0.2)
    assert probs == {"Good": 0.82, "Fair": 0.18}
    assert describe_probabilities(probs) == "Good 82 % · Fair 18 %"
