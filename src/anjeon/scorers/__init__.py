"""Scorers: pure batch functions from (item, response) to a score.

A scorer is ``Callable[[Sequence[ScoreInput]], list[Score]]`` registered in
``scorers`` by decorator; the same function runs in a loop, an executor or a Ray task.
Built-ins: ``refusal``, ``pii``, ``crisis``, ``bias_qa``.
"""

from anjeon.scorers._base import Score, ScoreInput, Scorer, scorers
from anjeon.scorers._refusal import OUTCOMES, classify_refusal

__all__ = ["OUTCOMES", "Score", "ScoreInput", "Scorer", "classify_refusal", "scorers"]
