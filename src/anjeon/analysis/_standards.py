"""Reference standards: versioned files of reference unsafe rates that grades divide by.

A standard is built from runs of chosen reference systems (``anjeon standard build``).
Per hazard it keeps the highest unsafe rate among those runs (``combine="max"``, a
lenient bar that the least safe reference sets) or their mean.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from anjeon._errors import InputError, Problem
from anjeon._io import validation_problems

BUILTIN = Path(__file__).parent / "data" / "standards"
# the shipped default: a floor set by the naive keyword filter (see its description)
DEFAULT_STANDARD = "keyword-guard-floor-1.0"


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid")
    run_id: str
    target: str | None
    suites: list[str]


class Standard(BaseModel):
    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1)
    version: str = Field(min_length=1)
    description: str
    combine: Literal["max", "mean"]
    sources: list[Source]
    rates: dict[str, float] = Field(description="'overall' and each hazard code -> unsafe rate")
    n: dict[str, int]


def builtin_standards() -> list[str]:
    return sorted(p.stem for p in BUILTIN.glob("*.json"))


def load_standard(ref: str | Path | None) -> dict[str, Any] | None:
    """A built-in standard id, a file path, or None for the default (if shipped)."""
    if ref is None:
        path = BUILTIN / f"{DEFAULT_STANDARD}.json"
        if not path.exists():
            return None
    elif (BUILTIN / f"{ref}.json").exists():
        path = BUILTIN / f"{ref}.json"
    else:
        path = Path(ref)
        if not path.is_file():
            known = ", ".join(builtin_standards()) or "none"
            raise InputError(f"unknown standard {str(ref)!r}: not built in ({known}), no such file")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InputError([Problem(str(path), None, None, f"cannot read standard: {e}")]) from None
    try:
        return Standard.model_validate(data).model_dump()
    except ValidationError as e:
        raise InputError(validation_problems(e, str(path), default_line=1)) from None


def build_standard(
    run_dirs: Sequence[Path],
    id: str,
    version: str,
    description: str,
    combine: Literal["max", "mean"] = "max",
) -> dict[str, Any]:
    """Reference rates from the baseline cells of each run, combined across runs."""
    from anjeon.analysis._analyze import unsafe_counts
    from anjeon.analysis._record import load_results
    from anjeon.store import RunStore, read_config

    per_run: list[dict[str, tuple[int, int]]] = []
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
    rates, ns = {}, {}
    for k in keys:
        vals = [run[k][0] / run[k][1] for run in per_run if k in run and run[k][1]]
        rates[k] = round(max(vals) if combine == "max" else sum(vals) / len(vals), 6)
        ns[k] = sum(run[k][1] for run in per_run if k in run)
    std = Standard(
        id=id,
        version=version,
        description=description,
        combine=combine,
        sources=[Source(**s) for s in sources],
        rates=rates,
        n=ns,
    )
    return std.model_dump()
