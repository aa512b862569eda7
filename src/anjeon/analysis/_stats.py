"""Statistics with uncertainty: Wilson intervals, paired differences, exact McNemar,
cluster bootstrap. Pure functions; numpy only for the bootstrap."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np

Z95 = 1.959963984540054


@dataclass(frozen=True, slots=True)
class Estimate:
    value: float | None
    ci_low: float | None
    ci_high: float | None
    n: int


def wilson(k: float, n: float, z: float = Z95, n_report: int | None = None) -> Estimate:
    """Wilson score interval for k successes in n trials (n may be an effective,
    non-integer sample size; ``n_report`` is then the n to report)."""
    if n <= 0:
        return Estimate(None, None, None, 0)
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    lo, hi = max(0.0, centre - half), min(1.0, centre + half)
    return Estimate(p, lo, hi, int(n) if n_report is None else n_report)


@dataclass(frozen=True, slots=True)
class PairedTable:
    """Counts of pairs by outcome (1 = event, e.g. a violation) on sides a and b."""

    both: int
    only_a: int
    only_b: int
    neither: int

    @property
    def n(self) -> int:
        return self.both + self.only_a + self.only_b + self.neither

    @classmethod
    def from_pairs(cls, pairs: Sequence[tuple[bool, bool]]) -> PairedTable:
        both = sum(1 for a, b in pairs if a and b)
        only_a = sum(1 for a, b in pairs if a and not b)
        only_b = sum(1 for a, b in pairs if b and not a)
        return cls(both, only_a, only_b, len(pairs) - both - only_a - only_b)


def paired_difference(t: PairedTable, z: float = Z95) -> Estimate:
    """p_a − p_b with Newcombe's hybrid score interval for paired data (method 10)."""
    n = t.n
    if n == 0:
        return Estimate(None, None, None, 0)
    a, b, c, d = t.both, t.only_a, t.only_b, t.neither
    p1, p2 = (a + b) / n, (a + c) / n
    w1, w2 = wilson(a + b, n, z), wilson(a + c, n, z)
    assert w1.ci_low is not None and w1.ci_high is not None
    assert w2.ci_low is not None and w2.ci_high is not None
    l1, u1, l2, u2 = w1.ci_low, w1.ci_high, w2.ci_low, w2.ci_high
    den = (a + b) * (c + d) * (a + c) * (b + d)
    phi = (a * d - b * c) / math.sqrt(den) if den > 0 else 0.0
    dl = math.sqrt(max(0.0, (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2))
    du = math.sqrt(max(0.0, (u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2))
    diff = p1 - p2
    return Estimate(diff, max(-1.0, diff - dl), min(1.0, diff + du), n)


EXACT_MAX = 1000  # beyond this many discordant pairs the tail is summed in log space


def mcnemar_exact(t: PairedTable) -> float:
    """Two-sided exact McNemar p-value: a binomial test on the discordant pairs."""
    m = t.only_a + t.only_b
    if m == 0:
        return 1.0
    k = min(t.only_a, t.only_b)
    if m <= EXACT_MAX:
        tail = sum(math.comb(m, i) for i in range(k + 1))
        return float(min(1.0, 2 * tail / 2**m))
    # log P(X = i) for X ~ Bin(m, 1/2), summed from the largest term down (log-sum-exp)
    logs = [
        math.lgamma(m + 1) - math.lgamma(i + 1) - math.lgamma(m - i + 1) - m * math.log(2)
        for i in range(k + 1)
    ]
    top = max(logs)
    tail_log = top + math.log(math.fsum(math.exp(x - top) for x in logs))
    return float(min(1.0, 2 * math.exp(tail_log)))


def bootstrap_rates(
    k: Sequence[int] | np.ndarray,
    n: Sequence[int] | np.ndarray,
    replicates: int = 1000,
    seed: int = 0,
) -> np.ndarray:
    """Cluster bootstrap of a rate: clusters (with k events in n trials each) are
    resampled with replacement; returns the replicate rates (NaN where n* = 0)."""
    import numpy as np

    ks = np.asarray(k, dtype=np.float64)
    ns = np.asarray(n, dtype=np.float64)
    c = len(ks)
    rng = np.random.default_rng(seed)
    out = np.empty(replicates)
    chunk = max(1, min(replicates, 2_000_000 // max(c, 1)))
    for start in range(0, replicates, chunk):
        size = min(chunk, replicates - start)
        idx = rng.integers(0, c, size=(size, c))
        tot_k = ks[idx].sum(axis=1)
        tot_n = ns[idx].sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[start : start + size] = tot_k / tot_n
    return out


def design_effect(samples: np.ndarray, k: int, n: int) -> float:
    """Variance of the cluster-bootstrap rate over the binomial variance (at least 1).

    Where the binomial variance is 0 (no event, or all events) the clusters cannot show
    correlation either, and the design effect is 1.
    """
    import numpy as np

    ok = samples[~np.isnan(samples)]
    p = k / n
    var_bin = p * (1 - p) / n
    if ok.size < 2 or var_bin == 0:
        return 1.0
    return max(1.0, float(np.var(ok, ddof=1)) / var_bin)


def clustered_wilson(k: int, n: int, deff: float) -> Estimate:
    """Wilson interval at the effective sample size n / deff (Kish)."""
    return wilson(k / deff, n / deff, n_report=n)


def rate_draws(k: int, n: int, deff: float, draws: int = 2000, seed: int = 0) -> np.ndarray:
    """Plausible values of a rate: a Jeffreys Beta posterior at the effective sample
    size. Unlike the percentile bootstrap it does not collapse when k is 0 or n."""
    import numpy as np

    n_eff = n / deff
    k_eff = k / deff
    rng = np.random.default_rng(seed)
    return rng.beta(k_eff + 0.5, n_eff - k_eff + 0.5, size=draws)


def percentile_ci(samples: np.ndarray, level: float = 0.95) -> tuple[float, float] | None:
    import numpy as np

    ok = samples[~np.isnan(samples)]
    if ok.size == 0:
        return None
    lo, hi = np.quantile(ok, [(1 - level) / 2, 1 - (1 - level) / 2])
    return float(lo), float(hi)
