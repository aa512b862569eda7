"""The inline scoring hook: the ``refusal`` scorer runs on each batch the writer commits.

Kept small on purpose: scorers are pure batch functions (``anjeon.scorers``); a run can
always be re-scored from the store without calling the target again.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from anjeon.store._store import ScoreRow
from anjeon.targets import Reply

if TYPE_CHECKING:
    from anjeon.engine._plan import Cell

ScoreHook = Callable[[Sequence[tuple["Cell", Reply]]], list[ScoreRow]]

INLINE_SCORERS = ("refusal",)


def inline_scorer(name: str = "refusal") -> ScoreHook | None:
    """The named scorer as a writer hook, or None when ``anjeon.scorers`` (or the scorer)
    is not installed."""
    try:
        mod: Any = importlib.import_module("anjeon.scorers")
    except ImportError:
        return None
    registry = getattr(mod, "scorers", None)
    ScoreInput: Any = getattr(mod, "ScoreInput", None)
    if registry is None or ScoreInput is None:  # a partial install: run without scoring
        return None
    try:
        entry = registry.entry(name)
    except LookupError:
        return None
    fn: Any = entry.obj
    version = str(entry.meta.get("version", "0"))

    def hook(batch: Sequence[tuple[Cell, Reply]]) -> list[ScoreRow]:
        scores = fn([ScoreInput(c.item, r.text, r.finish_reason) for c, r in batch])
        return [
            (
                c.key,
                name,
                version,
                s.label,
                s.value,
                json.dumps(s.details, ensure_ascii=False) if s.details else None,
            )
            for (c, _), s in zip(batch, scores, strict=True)
        ]

    return hook
