"""Scorers: pure batch functions from (item, response) to a score.

A scorer is ``Callable[[Sequence[ScoreInput]], list[Score]]`` registered in
``scorers`` by decorator; the same function runs in a loop, an executor or a Ray task.
Built-ins: ``refusal``, ``pii``, ``crisis``, ``bias_qa``.
"""

from anjeon.scorers._base import (
    NOT_APPLICABLE,
    SCOREABLE,
    VIOLATED,
    Score,
    ScoreInput,
    Scorer,
    scorers,
)
from anjeon.scorers._bias import bias_scores, parse_choice
from anjeon.scorers._confusion import confusion_text
from anjeon.scorers._crisis import crisis_lines, find_lines
from anjeon.scorers._pii import Finding, find_pii
from anjeon.scorers._refusal import OUTCOMES
from anjeon.scorers._refusal_scorer import classify_refusal
from anjeon.scorers._stored import LabelRow, StoredItems, details_json, label_rows, sent_item

__all__ = [
    "NOT_APPLICABLE",
    "OUTCOMES",
    "SCOREABLE",
    "VIOLATED",
    "Finding",
    "LabelRow",
    "Score",
    "ScoreInput",
    "Scorer",
    "StoredItems",
    "bias_scores",
    "classify_refusal",
    "confusion_text",
    "crisis_lines",
    "details_json",
    "find_lines",
    "find_pii",
    "label_rows",
    "parse_choice",
    "scorers",
    "sent_item",
]
