"""The inline scoring hook: the ``refusal`` scorer runs on each batch the writer commits.

Kept small on purpose: scorers are pure batch functions (``anjeon.scorers``); a run can
always be re-scored from the store without calling the target again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from anjeon.scorers import ScoreInput, scorers
from anjeon.store import ScoreRow
from anjeon.targets import Reply

if TYPE_CHECKING:
    from anjeon.engine._plan import Cell

ScoreHook = Callable[[Sequence[tuple["Cell", Reply]]], list[ScoreRow]]


def inline_scorer(name: str = "refusal") -> ScoreHook | None:
    """The named scorer as a writer hook, or None when no such scorer is registered."""
    if name not in scorers:
        return None
    entry = scorers.entry(name)
    fn = entry.obj
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
