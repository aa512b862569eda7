"""Inline scoring: every registered scorer labels each batch the writer commits, so the
end of a run has nothing left to score.

Scorers are pure batch functions (``anjeon.scorers``); a run can always be re-scored
from the store without calling the target again. A scorer's ``not_applicable`` label
is not stored: applicability is derived from the item, so 20,000 cells of a suite
without bias questions cost no 20,000 bias rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from anjeon.scorers import ScoreInput, Scorer, label_rows, scorers
from anjeon.store import ScoreRow
from anjeon.targets import Reply

if TYPE_CHECKING:
    from anjeon.engine._plan import Cell

ScoreHook = Callable[[Sequence[tuple["Cell", Reply]]], list[ScoreRow]]


def scorer_versions(names: Sequence[str] | None = None) -> dict[str, str]:
    """name -> version of the named scorers (default: every registered one)."""
    return {
        n: str(scorers.entry(n).meta.get("version", "0"))
        for n in (scorers.names() if names is None else names)
        if n in scorers
    }


def inline_scorer(names: Sequence[str] | None = None) -> ScoreHook | None:
    """The scorers (default: all registered) as one writer hook, or None if there are
    none."""
    versions = scorer_versions(names)
    if not versions:
        return None
    run: list[tuple[str, str, Scorer]] = [(n, v, scorers.entry(n).obj) for n, v in versions.items()]

    def hook(batch: Sequence[tuple[Cell, Reply]]) -> list[ScoreRow]:
        keys = [c.key for c, _ in batch]
        inputs = [ScoreInput(c.item, r.text, r.finish_reason) for c, r in batch]
        rows: list[ScoreRow] = []
        for name, version, fn in run:
            rows.extend(label_rows(name, version, fn, keys, inputs))
        return rows

    return hook
