"""Clustered binary data by simulation, to measure how often an interval covers the
true rate: the scenarios and the draw are shared by the coverage test
(tests/test_analysis_stats.py) and the bench (bench/sim_coverage.py), so both measure
the same data sets."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Protocol, TypeAlias

if TYPE_CHECKING:
    import numpy as np

# clusters, cluster sizes (drawn uniformly from the list), true rate mu, intra-cluster
# correlation icc
COVERAGE_SCENARIOS: tuple[tuple[int, tuple[int, ...], float, float], ...] = (
    (30, (4,), 0.2, 0.3),
    (20, (6,), 0.3, 0.5),
    (40, (3,), 0.1, 0.4),
    (15, (8,), 0.2, 0.4),
    (20, (1, 2, 3, 6, 10), 0.2, 0.4),
    (30, (1, 1, 2, 4, 12), 0.1, 0.3),
    (60, (2,), 0.3, 0.5),
)


class Interval(Protocol):
    @property
    def ci_low(self) -> float | None: ...
    @property
    def ci_high(self) -> float | None: ...


# (events per cluster, cluster sizes, replicate number) -> the interval to judge
IntervalFn: TypeAlias = "Callable[[np.ndarray, np.ndarray, int], Interval]"


def simulate_coverage(
    interval: IntervalFn,
    clusters: int,
    sizes: Sequence[int],
    mu: float,
    icc: float,
    reps: int,
) -> tuple[float, float]:
    """The share of ``reps`` beta-binomial data sets (cluster rates ~ Beta with mean
    ``mu`` and intra-cluster correlation ``icc``) whose interval covers ``mu``, and the
    intervals' mean width. Seeded by the scenario, so a scenario always draws the same
    data sets."""
    import numpy as np  # here: the stub server imports anjeon.testing and needs no numpy

    rng = np.random.default_rng(clusters * 1000 + len(sizes))
    a, b = mu * (1 - icc) / icc, (1 - mu) * (1 - icc) / icc
    covered, width = 0, 0.0
    for r in range(reps):
        m = rng.choice(list(sizes), clusters)
        k = rng.binomial(m, rng.beta(a, b, clusters))
        e = interval(k, m, r)
        if e.ci_low is None or e.ci_high is None:
            raise ValueError(f"no interval for replicate {r} ({clusters} clusters, mu {mu})")
        covered += e.ci_low <= mu <= e.ci_high
        width += e.ci_high - e.ci_low
    return covered / reps, width / reps
