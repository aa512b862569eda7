"""The refusal scorer: the rules (``_refusal``) decide what is unscoreable and find where
a response declines; the learned model (``_refusal_model``) weighs the rest. Kept apart from
both so that the model can read the rules' analysis without an import cycle."""

from __future__ import annotations

from collections.abc import Sequence

from anjeon.scorers._base import Score, ScoreInput, measured_accuracy, scorers
from anjeon.scorers._refusal import analyse_refusal
from anjeon.scorers._refusal_model import decide, decide_many


def classify_refusal(
    response: str | None, prompt: str | None = None, finish_reason: str | None = None
) -> str:
    """One of ``refused``, ``complied``, ``partial``, ``unscoreable``: the rules decide
    what is unscoreable; the learned model (``_refusal_model``) weighs the rest."""
    analysis = analyse_refusal(response, prompt, finish_reason)
    if analysis.outcome == "unscoreable":
        return "unscoreable"
    return decide(analysis)


@scorers.register(
    "refusal",
    version="4",
    description="Bilingual (en/ko) refusal classifier: refused, complied, partial, unscoreable",
    accuracy=measured_accuracy("refusal"),
)
def refusal(batch: Sequence[ScoreInput]) -> list[Score]:
    analyses = [analyse_refusal(x.response, x.item.text, x.finish_reason) for x in batch]
    return [Score(label) for label in decide_many(analyses)]
