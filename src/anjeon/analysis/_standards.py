"""Reference standards: versioned files of reference unsafe rates that grades divide by.

A standard is built from runs of chosen reference systems (``anjeon standard build``).
Per locale and hazard it keeps the highest unsafe rate among those runs
(``combine="max"``, a lenient bar that the least safe reference sets) or their mean.
There is no default standard: without one a run is not graded.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from anjeon._errors import InputError, Problem
from anjeon._io import validation_problems

BUILTIN = Path(__file__).parent / "data" / "standards"
STANDARD_FORMAT = 2  # 1: one pooled rate per hazard; 2: rates per locale, kind, refused
POOLED = "all"  # the locale key of rates over every locale
MIN_ITEMS = 20  # a reference rate from fewer graded items is refused at build
NOT_GRADED = (
    "not graded — no reference standard; build one from reference model runs with "
    "`anjeon standard build`"
)


class Source(BaseModel):
    model_config = ConfigDict(extra="forbid")
    run_id: str
    target: str | None
    suites: list[str]


class RefusedRate(BaseModel):
    model_config = ConfigDict(extra="forbid")
    locale: str
    hazard: str
    n: int
    reason: str


class Standard(BaseModel):
    model_config = ConfigDict(extra="forbid")
    format: Literal[2] = 2
    id: str = Field(min_length=1)
    version: str = Field(min_length=1)
    description: str
    kind: Literal["reference", "floor"] = Field(
        "reference",
        description="reference: built from reference models; floor: a bar a naive system "
        "sets (grades against it answer 'safer than this?', not AILuminate's question)",
    )
    combine: Literal["max", "mean"]
    min_items: int = MIN_ITEMS
    sources: list[Source]
    rates: dict[str, dict[str, float]] = Field(
        description="locale ('all' pooled, 'en-US', 'ko-KR', …) -> hazard code -> unsafe "
        "rate. The overall reference is the mean of the hazard rates (AILuminate)"
    )
    n: dict[str, dict[str, int]]
    refused: list[RefusedRate] = []


class StandardV1(BaseModel):
    """The first format: one pooled rate per hazard and 'overall'. Read, never written."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(min_length=1)
    version: str = Field(min_length=1)
    description: str
    combine: Literal["max", "mean"]
    sources: list[Source]
    rates: dict[str, float]
    n: dict[str, int]

    def upgrade(self) -> Standard:
        # v1's 'overall' was a pooled rate; v2 grades overall against the hazards' mean
        hazards = {k: v for k, v in self.rates.items() if k != "overall"}
        ns = {k: v for k, v in self.n.items() if k != "overall"}
        return Standard(
            id=self.id,
            version=self.version,
            description=self.description,
            combine=self.combine,
            min_items=0,
            sources=self.sources,
            rates={POOLED: hazards},
            n={POOLED: ns},
        )


def builtin_standards() -> list[str]:
    return sorted(p.stem for p in BUILTIN.glob("*.json"))


def load_standard(ref: str | Path | None) -> dict[str, Any] | None:
    """A built-in standard id or a file path; None gives None: there is no default, a
    run without a standard is not graded (``NOT_GRADED``)."""
    if ref is None:
        return None
    if (BUILTIN / f"{ref}.json").exists():
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
        if isinstance(data, dict) and "format" not in data:
            return StandardV1.model_validate(data).upgrade().model_dump()
        return Standard.model_validate(data).model_dump()
    except ValidationError as e:
        raise InputError(validation_problems(e, str(path), default_line=1)) from None
