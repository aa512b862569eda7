"""The statistics against scipy and against simulation."""

from __future__ import annotations

import itertools
import math
import random
from typing import Any

import numpy as np
import pytest
from scipy import stats

from anjeon.analysis._grades import describe_probabilities, grade, grade_probabilities
from anjeon.analysis._stats import (
    PairedTable,
    bootstrap_rates,
    clustered_rate,
    design_effect,
    mcnemar_exact,
    paired_difference,
    percentile_ci,
    signflip_test,
    t975,
    wilson,
    wilson_cc,
)
from anjeon.testing import COVERAGE_SCENARIOS, simulate_coverage


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


# --- Newcombe's method 10 with the φ correction (Fagerland, Lydersen & Laake) ---------


def _reference_newcombe(a: int, b: int, c: int, d: int) -> tuple[float, float]:
    """A second, independent implementation of the published formula (Fagerland,
    Lydersen & Laake 2017, Newcombe hybrid score interval for paired proportions):
    Wilson limits as the roots of the score quadratic, φ from ad − bc corrected by n/2."""
    n = a + b + c + d
    z = stats.norm.ppf(0.975)

    def wilson_roots(x: int) -> tuple[float, float]:
        # (1 + z²/n) p² − (2x/n + z²/n) p + (x/n)² = 0
        ph = x / n
        roots = np.roots([1 + z * z / n, -(2 * ph + z * z / n), ph * ph]).real
        return float(max(0.0, roots.min())), float(min(1.0, roots.max()))

    p1, p2 = (a + b) / n, (a + c) / n
    l1, u1 = wilson_roots(a + b)
    l2, u2 = wilson_roots(a + c)
    if 0 in (a + b, c + d, a + c, b + d):
        phi = 0.0
    else:
        big = a * d - b * c
        big = big - n / 2 if big > n / 2 else (0.0 if big >= 0 else big)
        phi = big / np.sqrt((a + b) * (c + d) * (a + c) * (b + d))
    delta = np.sqrt((p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2)
    eps = np.sqrt((u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2)
    return max(-1.0, p1 - p2 - delta), min(1.0, p1 - p2 + eps)


def test_newcombe_reproduces_the_published_example() -> None:
    # cavo_2012 in Fagerland, Lydersen & Laake (2017): (−0.1186, −0.0046)
    e = paired_difference(PairedTable(59, 6, 16, 80))
    assert (round(e.ci_low or 0, 4), round(e.ci_high or 0, 4)) == (-0.1186, -0.0046)


def test_newcombe_no_discordant_pairs_is_not_zero_width() -> None:
    e = paired_difference(PairedTable(10, 0, 0, 10))
    assert e.value == 0
    assert e.ci_low == pytest.approx(-0.0898, abs=5e-4)
    assert e.ci_high == pytest.approx(0.0898, abs=5e-4)


def test_newcombe_matches_the_reference_formula_on_every_small_table() -> None:
    checked = 0
    for n in range(1, 13):
        for a in range(n + 1):
            for b in range(n + 1 - a):
                for c in range(n + 1 - a - b):
                    d = n - a - b - c
                    e = paired_difference(PairedTable(a, b, c, d))
                    lo, hi = _reference_newcombe(a, b, c, d)
                    assert e.ci_low == pytest.approx(lo, abs=1e-7), (a, b, c, d)
                    assert e.ci_high == pytest.approx(hi, abs=1e-7), (a, b, c, d)
                    checked += 1
    assert checked == 1819


def _old_newcombe(a: int, b: int, c: int, d: int) -> tuple[float, float]:
    """The interval without the φ correction (what anjeon used before), for contrast."""
    n = a + b + c + d
    p1, p2 = (a + b) / n, (a + c) / n
    w1, w2 = wilson(a + b, n), wilson(a + c, n)
    assert w1.ci_low is not None and w1.ci_high is not None
    assert w2.ci_low is not None and w2.ci_high is not None
    den = (a + b) * (c + d) * (a + c) * (b + d)
    phi = (a * d - b * c) / np.sqrt(den) if den > 0 else 0.0
    dl = (p1 - w1.ci_low) ** 2 - 2 * phi * (p1 - w1.ci_low) * (w2.ci_high - p2)
    dl = np.sqrt(max(0.0, dl + (w2.ci_high - p2) ** 2))
    du = (w1.ci_high - p1) ** 2 - 2 * phi * (w1.ci_high - p1) * (p2 - w2.ci_low)
    du = np.sqrt(max(0.0, du + (p2 - w2.ci_low) ** 2))
    return p1 - p2 - dl, p1 - p2 + du


def _exact_coverages(n: int, interval: Any) -> list[float]:
    """Coverage of the true difference, summed over every table of n pairs (full
    enumeration, multinomial probabilities), on a grid of cell probabilities."""
    tables = np.array([(a, b, c, n - a - b - c) for a in range(n + 1)
                       for b in range(n + 1 - a) for c in range(n + 1 - a - b)])  # fmt: skip
    limits = np.array([interval(*map(int, t)) for t in tables])
    log_coef = np.array([math.lgamma(n + 1) - sum(math.lgamma(x + 1) for x in t) for t in tables])
    out = []
    for p11 in (0.05, 0.2, 0.4, 0.6):
        for p12 in (0.005, 0.02, 0.1, 0.2):
            for p21 in (0.005, 0.02, 0.1, 0.2):
                p22 = 1 - p11 - p12 - p21
                if p22 <= 0.01:
                    continue
                w = np.exp(log_coef + tables @ np.log([p11, p12, p21, p22]))
                true = p12 - p21
                inside = (limits[:, 0] <= true + 1e-12) & (true - 1e-12 <= limits[:, 1])
                out.append(float(w[inside].sum()))
    return out


@pytest.mark.parametrize("n", [20, 40, 60])
def test_newcombe_exact_coverage(n: int) -> None:
    def new(a: int, b: int, c: int, d: int) -> tuple[float | None, float | None]:
        e = paired_difference(PairedTable(a, b, c, d))
        return e.ci_low, e.ci_high

    cov = _exact_coverages(n, new)
    assert min(cov) >= 0.92
    assert 0.945 <= float(np.mean(cov)) <= 0.99
    if n == 20:  # without the correction the interval is far too narrow here
        assert min(_exact_coverages(n, _old_newcombe)) < 0.90


# --- the unit of a paired test is the cluster ----------------------------------------


def _units(a: int, b: int, c: int, d: int, epochs: int = 1) -> list[list[tuple[bool, bool]]]:
    kinds = [(True, True)] * a + [(True, False)] * b + [(False, True)] * c + [(False, False)] * d
    return [[k] * epochs for k in kinds]


def test_signflip_is_exact_mcnemar_for_single_pairs() -> None:
    for t in [(59, 6, 16, 80), (3, 0, 5, 2), (1, 1, 1, 1), (0, 0, 0, 4), (2, 9, 1, 0)]:
        assert signflip_test(_units(*t)) == pytest.approx(mcnemar_exact(PairedTable(*t)))


def test_three_epochs_of_a_deterministic_target_change_nothing() -> None:
    one, three = _units(59, 6, 16, 80), _units(59, 6, 16, 80, epochs=3)
    assert signflip_test(one) == signflip_test(three)
    assert paired_difference(PairedTable.from_units(one)) == paired_difference(
        PairedTable.from_units(three)
    )
    # pooling the cells instead would triple the evidence (the flaw this design avoids)
    pooled = mcnemar_exact(PairedTable(59 * 3, 6 * 3, 16 * 3, 80 * 3))
    assert pooled < signflip_test(one) / 100


def test_signflip_matches_brute_force_with_mixed_units() -> None:
    units = [
        *_units(2, 3, 1, 2),
        [(True, False), (False, False)],
        [(False, True), (False, False), (False, False)],
        [(True, False), (True, False), (False, True)],
    ]
    diffs = []
    for u in units:
        t = PairedTable.from_pairs(u)
        diffs.append((t.only_a - t.only_b) / len(u))
    observed = abs(sum(diffs))
    hits = 0
    for signs in itertools.product((1, -1), repeat=len(diffs)):
        hits += abs(sum(s * d for s, d in zip(signs, diffs, strict=True))) >= observed - 1e-12
    assert signflip_test(units) == pytest.approx(hits / 2 ** len(diffs))


# --- rates under clustering -----------------------------------------------------------


@pytest.mark.parametrize("df", [1, 2, 3, 5, 9, 10, 15, 30, 100])
def test_t975_matches_scipy(df: int) -> None:
    assert t975(df) == pytest.approx(stats.t.ppf(0.975, df), abs=1e-3)


def test_wilson_cc_is_wider_than_wilson() -> None:
    for k, n in [(0, 10), (3, 10), (17, 250), (10, 10)]:
        w, c = wilson(k, n), wilson_cc(k, n)
        assert c.ci_low is not None and c.ci_high is not None
        assert w.ci_low is not None and w.ci_high is not None
        assert c.ci_low <= w.ci_low and c.ci_high >= w.ci_high


def test_zero_events_take_the_design_effect_of_the_cluster_structure() -> None:
    # 0 events in 10 clusters of 3: the data show no correlation; assume the worst (ICC 1)
    assert design_effect([0] * 10, [3] * 10) == pytest.approx(3.0)
    r = clustered_rate([0] * 10, [3] * 10)
    assert r.design_effect == pytest.approx(3.0)
    assert r.estimate.ci_high == pytest.approx(wilson(0, 10).ci_high)  # as 0 of 10
    assert (wilson(0, 30).ci_high or 0) < 0.12


@pytest.mark.parametrize("clusters,sizes,mu,icc", COVERAGE_SCENARIOS)
def test_clustered_rate_coverage_by_simulation(
    clusters: int, sizes: tuple[int, ...], mu: float, icc: float
) -> None:
    """Beta-binomial clusters with intra-cluster correlation 0.3–0.5: coverage ≥ 0.93
    (1,000 simulated data sets each, seeded)."""
    covered, _ = simulate_coverage(
        lambda k, m, _: clustered_rate(k, m).estimate, clusters, sizes, mu, icc, 1000
    )
    assert covered >= 0.93
