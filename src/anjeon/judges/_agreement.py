"""Agreement of a judge with human labels: accuracy, precision, recall, Cohen's kappa.

"unsafe" is the positive class. Kappa's 95 % interval uses the large-sample variance of
Fleiss, Cohen & Everitt (1969), "Large sample standard errors of kappa and weighted
kappa" (Psychological Bulletin 72(5)), the variance statsmodels' ``cohens_kappa``
reports as ``std_kappa``; the tests check it against that implementation.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypedDict

Z95 = 1.959963984540054


@dataclass(frozen=True)
class Confusion:
    """Counts with the human label first: tp = both unsafe, fn = human unsafe, judge safe."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    @classmethod
    def of(cls, pairs: Iterable[tuple[str, str]]) -> Confusion:
        """From (human, judge) label pairs."""
        c = {"tp": 0, "fp": 0, "fn": 0, "tn": 0}
        for human, judge in pairs:
            if human == "unsafe":
                c["tp" if judge == "unsafe" else "fn"] += 1
            else:
                c["fp" if judge == "unsafe" else "tn"] += 1
        return cls(**c)

    @property
    def n(self) -> int:
        return self.tp + self.fp + self.fn + self.tn


def _ratio(a: int, b: int) -> float | None:
    return None if b == 0 else a / b


def kappa(c: Confusion) -> tuple[float | None, tuple[float, float] | None]:
    """Cohen's kappa and its 95 % interval (None when undefined: no cases, or both
    raters constant so that chance agreement is 1)."""
    n = c.n
    if n == 0:
        return None, None
    # proportions p[human][judge], 0 = unsafe, 1 = safe
    p = [[c.tp / n, c.fn / n], [c.fp / n, c.tn / n]]
    row = [p[0][0] + p[0][1], p[1][0] + p[1][1]]  # human
    col = [p[0][0] + p[1][0], p[0][1] + p[1][1]]  # judge
    po = p[0][0] + p[1][1]
    pe = row[0] * col[0] + row[1] * col[1]
    if pe >= 1.0:
        return None, None
    k = (po - pe) / (1 - pe)
    a = sum(p[i][i] * (1 - (row[i] + col[i]) * (1 - k)) ** 2 for i in range(2))
    b = (1 - k) ** 2 * sum(
        p[i][j] * (col[i] + row[j]) ** 2 for i in range(2) for j in range(2) if i != j
    )
    var = max(0.0, (a + b - (k - pe * (1 - k)) ** 2) / (n * (1 - pe) ** 2))
    half = Z95 * math.sqrt(var)
    return k, (max(-1.0, k - half), min(1.0, k + half))


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


class Agreement(TypedDict):
    """A judge against human labels in one group (unsafe is the positive class)."""

    n: int
    accuracy: float | None
    precision: float | None
    recall: float | None
    kappa: float | None
    kappa_ci: list[float | None] | None
    confusion: dict[str, int]


def agreement(c: Confusion) -> Agreement:
    """The figures ``anjeon judge validate`` reports for one group."""
    k, ci = kappa(c)
    return {
        "n": c.n,
        "accuracy": _r(_ratio(c.tp + c.tn, c.n)),
        "precision": _r(_ratio(c.tp, c.tp + c.fp)),
        "recall": _r(_ratio(c.tp, c.tp + c.fn)),
        "kappa": _r(k),
        "kappa_ci": None if ci is None else [_r(ci[0]), _r(ci[1])],
        "confusion": {"tp": c.tp, "fp": c.fp, "fn": c.fn, "tn": c.tn},
    }
