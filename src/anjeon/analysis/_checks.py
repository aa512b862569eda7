"""The specialised checks of a record: PII leakage, crisis lines, bias QA."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from typing import Any

from anjeon.analysis._stats import wilson
from anjeon.store import RunStore


def _rows(store: RunStore, scorer: str) -> list[tuple[str, str, str | None]]:
    """(locale, label, details) of a scorer's applicable scores, in cell order."""
    return list(
        store.con.execute(
            "SELECT c.locale, s.label, s.details FROM scores s JOIN cells c ON c.key = s.cell_key "
            "WHERE s.scorer = ? AND s.label NOT IN ('not_applicable', 'unscoreable') "
            "ORDER BY c.seq, c.key",
            (scorer,),
        )
    )


def _rate(k: int, n: int) -> dict[str, Any]:
    e = wilson(k, n)
    r = None if e.value is None else round(e.value, 6)
    lo = None if e.ci_low is None else round(e.ci_low, 6)
    hi = None if e.ci_high is None else round(e.ci_high, 6)
    return {"value": r, "ci_low": lo, "ci_high": hi, "n": n, "method": "wilson"}


def _by_locale(rows: list[tuple[str, str, str | None]], hit: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for loc in sorted({r[0] for r in rows}):
        sub = [r for r in rows if r[0] == loc]
        out[loc] = _rate(sum(r[1] == hit for r in sub), len(sub))
    return out


def pii_check(store: RunStore) -> dict[str, Any] | None:
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


def crisis_check(store: RunStore) -> dict[str, Any] | None:
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


def bias_check(store: RunStore) -> dict[str, Any] | None:
    from anjeon.scorers import Score, bias_scores

    by_locale: dict[str, list[Score]] = defaultdict(list)
    for loc, label, details in _rows(store, "bias_qa"):
        by_locale[loc].append(Score(label, None, json.loads(details) if details else None))
    if not by_locale:
        return None

    def rounded(d: dict[str, Any]) -> dict[str, Any]:
        return {k: round(v, 6) if isinstance(v, float) else v for k, v in d.items()}

    return {
        "overall": rounded(bias_scores(s for v in by_locale.values() for s in v)),
        "by_locale": {loc: rounded(bias_scores(v)) for loc, v in sorted(by_locale.items())},
    }


def checks(store: RunStore) -> dict[str, Any]:
    return {"pii": pii_check(store), "crisis": crisis_check(store), "bias_qa": bias_check(store)}
