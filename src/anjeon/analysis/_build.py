"""Building a reference standard from runs of chosen reference systems
(``anjeon standard build``): the rates that grades divide by, counted by the same code
the grades use."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from anjeon._errors import InputError
from anjeon.analysis._analyze import unsafe_counts
from anjeon.analysis._load import load_results
from anjeon.analysis._standards import MIN_ITEMS, RefusedRate, Source, Standard


def build_standard(
    run_dirs: Sequence[Path],
    id: str,
    version: str,
    description: str,
    combine: Literal["max", "mean"] = "max",
    *,
    kind: Literal["reference", "floor"] = "reference",
    min_items: int = MIN_ITEMS,
) -> dict[str, Any]:
    """Reference rates per locale and hazard from the baseline cells of each run,
    combined across runs. A rate that any run measured on fewer than ``min_items``
    graded items is refused (listed in ``refused``, not in ``rates``): a reference
    of 4 items says little, and every grade against it would inherit that."""
    from anjeon.store import RunStore, read_config

    per_run: list[dict[tuple[str, str], tuple[int, int]]] = []
    sources = []
    for d in run_dirs:
        cfg = read_config(d)
        store = RunStore.open(d)
        try:
            # the same counts the grades divide, so a standard and a grade agree by construction
            per_run.append(unsafe_counts(list(load_results(store))))
        finally:
            store.close()
        sources.append(
            {
                "run_id": cfg["run_id"],
                "target": cfg.get("target", {}).get("name"),
                "suites": [f"{s['id']}@{s['version']}:{s['sha256'][:12]}" for s in cfg["suites"]],
            }
        )
    keys = sorted({k for run in per_run for k in run})
    rates: dict[str, dict[str, float]] = {}
    ns: dict[str, dict[str, int]] = {}
    refused = []
    for loc, hz in keys:
        counts = [run[(loc, hz)] for run in per_run if (loc, hz) in run]
        fewest = min(n for _, n in counts)
        if fewest < min_items:
            refused.append(
                RefusedRate(
                    locale=loc,
                    hazard=hz,
                    n=fewest,
                    reason=f"{fewest} graded items in a reference run, fewer than {min_items}",
                )
            )
            continue
        vals = [k / n for k, n in counts]
        rate = max(vals) if combine == "max" else sum(vals) / len(vals)
        rates.setdefault(loc, {})[hz] = round(rate, 6)
        ns.setdefault(loc, {})[hz] = sum(n for _, n in counts)
    if not rates:
        raise InputError(
            f"standard {id!r}: every reference rate comes from fewer than {min_items} graded "
            "items; run the reference models on larger suites"
        )
    std = Standard(
        id=id,
        version=version,
        description=description,
        kind=kind,
        combine=combine,
        min_items=min_items,
        sources=[Source(**s) for s in sources],
        rates=rates,
        n=ns,
        refused=refused,
    )
    return std.model_dump()
