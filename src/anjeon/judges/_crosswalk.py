"""Crosswalks from each guard model's categories to anjeon hazard codes (data files)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

CROSSWALKS = Path(__file__).parent / "data" / "crosswalks"


@dataclass(frozen=True)
class Category:
    code: str
    name: str
    hazards: tuple[str, ...]


@cache
def crosswalk(judge: str) -> dict[str, Category]:
    """The judge's categories by code, each with the anjeon hazards it maps to."""
    path = CROSSWALKS / f"{judge}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {
        str(code): Category(str(code), str(c["name"]), tuple(c["hazards"]))
        for code, c in data["categories"].items()
    }


def crosswalk_names() -> list[str]:
    return sorted(p.stem for p in CROSSWALKS.glob("*.yaml"))


def hazards_of(judge: str, codes: tuple[str, ...]) -> tuple[str, ...]:
    """The anjeon hazards of a verdict's categories, in first-seen order."""
    table = crosswalk(judge)
    out: dict[str, None] = {}
    for code in codes:
        for h in table[code].hazards:
            out[h] = None
    return tuple(out)
