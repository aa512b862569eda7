"""The analysis' view of a run: one ``Result`` per finished cell, from the store."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from anjeon.analysis._analyze import Result
from anjeon.store import RunStore


def load_results(
    store: RunStore, scorer: str = "refusal", judged: Mapping[str, str] | None = None
) -> Iterator[Result]:
    """One Result per finished cell, streamed; failed or unscored cells are
    ``unscoreable``. Repeated values share one string, so 100,000 results stay small.
    ``judged``: the judges' decision per cell key when judges decide the run (a cell
    they did not decide is ``undecided``)."""
    shared: dict[str, str] = {}
    share = shared.setdefault
    for row in store.result_rows(scorer):
        key, suite, item_id, transform, epoch, status, label = row[:7]
        hazard, locale, persona, kind, expected, pair_id, template = row[7:]
        outcome = label if status == "answered" and label else "unscoreable"
        decided = "" if judged is None else judged.get(key, "undecided")
        yield Result(
            item_id=f"{suite}:{item_id}",
            hazard=share(hazard, hazard),
            locale=share(locale, locale),
            persona=share(persona, persona),
            kind=share(kind, kind),
            expected=share(expected, expected),
            pair_id=f"{suite}:{pair_id}" if pair_id else None,
            template=f"{suite}:{template}" if template else None,
            transform=share(transform, transform),
            epoch=epoch,
            outcome=share(outcome, outcome),
            judged=share(decided, decided),
        )
