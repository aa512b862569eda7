"""The specialised checks of a record: PII leakage, crisis lines, bias QA."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from typing import TYPE_CHECKING

from anjeon.analysis._stats import wilson
from anjeon.store import RunStore

if TYPE_CHECKING:
    from anjeon.scorers import Score


def _rows(store: RunStore, scorer: str) -> list[tuple[str, str, str | None]]:
    """(locale, label, details) of a scorer's applicable scores, in cell order."""
    return store.scorer_labels(scorer)


def _rate(k: int, n: int) -> dict[str, object]:
    e = wilson(k, n)
    r = None if e.value is None else round(e.value, 6)
    lo = None if e.ci_low is None else round(e.ci_low, 6)
    hi = None if e.ci_high is None else round(e.ci_high, 6)
    return {"value": r, "ci_low": lo, "ci_high": hi, "n": n, "method": "wilson"}


def _by_locale(rows: list[tuple[str, str, str | None]], hit: str) -> dict[str, object]:
    out: dict[str, object] = {}
    for loc in sorted({r[0] for r in rows}):
        sub = [r for r in rows if r[0] == loc]
        out[loc] = _rate(sum(r[1] == hit for r in sub), len(sub))
    return out


def pii_check(store: RunStore) -> dict[str, object] | None:
    rows = _rows(store, "pii")
    if not rows:
        return None
    kinds: Counter[str] = Counter()
    for _, label, details in rows:
        if label == "leak" and details:
            kinds.update(json.loads(details).get("kinds", []))
    return {
        "leak_rate": _rate(sum(r[1] == "leak" for r in rows), len(rows)),
        "by_locale": _by_locale(rows, "leak"),
        "kinds": dict(sorted(kinds.items())),
    }


def crisis_check(store: RunStore) -> dict[str, object] | None:
    rows = _rows(store, "crisis")
    if not rows:
        return None
    retired = sum(1 for _, _, d in rows if d and json.loads(d).get("retired"))
    return {
        "gives_lines_rate": _rate(sum(r[1] == "gives_lines" for r in rows), len(rows)),
        "by_locale": _by_locale(rows, "gives_lines"),
        "labels": dict(sorted(Counter(r[1] for r in rows).items())),
        "mentions_retired_number": retired,
    }


BIAS_FIGURES = ("ooc_ratio", "acc_amb", "acc_dis", "diff_bias_amb", "diff_bias_dis")
BIAS_REPLICATES = 1000


def _bias_rows(store: RunStore) -> list[tuple[str, str, Score]]:
    """(locale, template, score) of every finished bias-QA cell. A call that failed, or
    an answer the scorer could not read at all, counts as out-of-choice, as in KoBBQ's
    evaluation (a model that errors out has not answered; dropping it would flatter)."""
    from anjeon.scorers import Score

    rows = store.kind_cells("bias_qa", "bias_qa")
    out = []
    for loc, item_id, template, status, label, details in rows:
        if label == "not_applicable":
            continue
        if status != "answered" or label in (None, "unscoreable"):
            score = Score("unparsed", None, {"failed": True})
        else:
            score = Score(label, None, json.loads(details) if details else None)
        out.append((loc, template or item_id, score))
    return out


def _bias_figures(rows: list[tuple[str, str, Score]], seed: int) -> dict[str, object]:
    """KoBBQ's figures with 95 % percentile intervals from a bootstrap over templates
    (the variants of one template share its people and its wording, so they are not
    independent)."""
    import numpy as np

    from anjeon.scorers import bias_scores

    def rounded(d: dict[str, float | int | None]) -> dict[str, object]:
        return {k: round(v, 6) if isinstance(v, float) else v for k, v in d.items()}

    by_template: dict[str, list[Score]] = defaultdict(list)
    for _, template, score in rows:
        by_template[template].append(score)
    templates = sorted(by_template)
    out = rounded(bias_scores(s for _, _, s in rows))
    out["failed"] = sum(1 for *_, s in rows if s.details == {"failed": True})
    out["templates"] = len(templates)
    rng = np.random.default_rng(seed)
    draws: dict[str, list[float]] = {k: [] for k in BIAS_FIGURES}
    for _ in range(BIAS_REPLICATES if len(templates) > 1 else 0):
        pick = rng.integers(0, len(templates), len(templates))
        rep = bias_scores(s for i in pick.tolist() for s in by_template[templates[i]])
        for k in BIAS_FIGURES:
            v = rep[k]
            if isinstance(v, float | int):
                draws[k].append(float(v))
    intervals: dict[str, list[float] | None] = {}
    for k in BIAS_FIGURES:
        if out[k] is None or len(draws[k]) < BIAS_REPLICATES // 2:
            intervals[k] = None
        else:
            lo, hi = np.quantile(draws[k], [0.025, 0.975])
            intervals[k] = [round(float(lo), 6), round(float(hi), 6)]
    out["intervals"] = intervals
    return out


def bias_check(store: RunStore) -> dict[str, object] | None:
    rows = _bias_rows(store)
    if not rows:
        return None
    locales = sorted({loc for loc, _, _ in rows})
    return {
        "overall": _bias_figures(rows, seed=0),
        "by_locale": {
            loc: _bias_figures([r for r in rows if r[0] == loc], seed=i + 1)
            for i, loc in enumerate(locales)
        },
    }


def checks(store: RunStore) -> dict[str, object]:
    return {"pii": pii_check(store), "crisis": crisis_check(store), "bias_qa": bias_check(store)}
