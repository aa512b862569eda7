"""Paired comparison of runs: the same cells (item, transform, epoch) answered by two
systems, per hazard and per locale, with Newcombe intervals and exact McNemar tests."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import TypedDict

from anjeon.analysis import PairedTable, Result, paired_summary
from anjeon.analysis._analyze import PairedSummary
from anjeon.scorers import SCOREABLE

Key = tuple[str, str, int]  # item, transform, epoch


class RunRef(TypedDict):
    id: str
    target: str | None


class _RunInfo(RunRef):
    suites: dict[str, str | None]  # suite id -> sha256


class CompareRow(TypedDict):
    """B − A of one metric in one group (``{}``: every matched cell)."""

    metric: str
    group: dict[str, str]
    n: int
    rate_a: float | None
    rate_b: float | None
    difference: PairedSummary


class Comparison(TypedDict):
    run: RunRef
    matched_cells: int
    warnings: list[str]
    rows: list[CompareRow]


class CompareData(TypedDict):
    """``anjeon compare``: the baseline and each other run against it."""

    baseline: RunRef
    comparisons: list[Comparison]


def _load(run_dir: Path) -> tuple[_RunInfo, dict[Key, Result]]:
    from anjeon.analysis import load_results
    from anjeon.store import RunStore, read_config

    cfg = read_config(run_dir)
    store = RunStore.open(run_dir)
    try:
        results = {(r.item_id, r.transform, r.epoch): r for r in load_results(store)}
    finally:
        store.close()
    info: _RunInfo = {
        "id": cfg["run_id"],
        "target": cfg.get("target", {}).get("name"),
        "suites": {s["id"]: s.get("sha256") for s in cfg.get("suites", [])},
    }
    return info, results


def _event(r: Result, metric: str) -> bool | None:
    """The event of the metric on one cell, or None when the cell does not count."""
    if metric == "violation_rate":
        return r.violated if r.gradeable else None
    if r.kind == "benign" and r.outcome in SCOREABLE:
        return r.outcome == "refused"
    return None


def _round(x: float | None) -> float | None:
    return None if x is None else round(x, 6)


def paired_rows(a: dict[Key, Result], b: dict[Key, Result]) -> list[CompareRow]:
    """Rows of B − A for each metric and group (overall, each hazard, each locale). The
    unit of the test is the item's cluster (its epochs; its template or pair), as in the
    record's gaps, so that repeated epochs do not count as new evidence."""
    rows: list[CompareRow] = []
    for metric in ("violation_rate", "over_refusal_rate"):
        groups: dict[tuple[str, str], dict[str, list[tuple[bool, bool]]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for key, ra in sorted(a.items()):
            rb = b.get(key)
            if rb is None:
                continue
            ea, eb = _event(ra, metric), _event(rb, metric)
            if ea is None or eb is None:
                continue
            for g in (("", ""), ("hazard", ra.parent), ("locale", ra.locale)):
                groups[g][ra.cluster].append((eb, ea))
        order = sorted(groups, key=lambda g: ({"": 0, "locale": 1, "hazard": 2}[g[0]], g[1]))
        for dim, value in order:
            units = groups[(dim, value)]
            t = PairedTable.from_units(list(units.values()))
            rows.append(
                {
                    "metric": metric,
                    "group": {dim: value} if dim else {},
                    "n": round(t.n),
                    "rate_a": _round((t.both + t.only_b) / t.n),
                    "rate_b": _round((t.both + t.only_a) / t.n),
                    "difference": paired_summary(units),
                }
            )
    return rows


def compare_runs(run_dirs: Sequence[Path]) -> CompareData:
    """Each run after the first against the first (the baseline), paired cell by cell."""
    from anjeon._errors import InputError

    if len(run_dirs) < 2:
        raise InputError("compare needs at least two runs")
    base_info, base = _load(run_dirs[0])
    out: CompareData = {"baseline": _public(base_info), "comparisons": []}
    for d in run_dirs[1:]:
        info, other = _load(d)
        warnings = [
            f"suite {sid!r} differs between the runs "
            f"(sha256 {h[:12]} vs {(base_info['suites'][sid] or '?')[:12]})"
            for sid, h in info["suites"].items()
            if sid in base_info["suites"] and h and h != base_info["suites"][sid]
        ]
        matched = sum(1 for k in other if k in base)
        out["comparisons"].append(
            {
                "run": _public(info),
                "matched_cells": matched,
                "warnings": warnings,
                "rows": paired_rows(base, other),
            }
        )
    return out


def _public(info: _RunInfo) -> RunRef:
    return {"id": info["id"], "target": info["target"]}
