"""Scoring from what a run stored: score inputs rebuilt from stored rows, labels out as
rows. One owner for the engine's inline scoring, its scoring process and the
re-scoring of a finished run, so the three label a cell identically (and stay pure:
rows in, rows out; the store itself is read and written by the callers)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from anjeon.scorers._base import NOT_APPLICABLE, ScoreInput, Scorer
from anjeon.suites import Item, Message

#: (cell key, scorer, scorer version, label, value, details JSON): a scores row
LabelRow = tuple[str, str, str, str, float | None, str | None]


def sent_item(item: Item, messages: str) -> Item:
    """The item as it was sent (``messages``: the cell's stored messages JSON): a
    transform may have rewritten the prompt."""
    turns = [m for m in json.loads(messages) if m["role"] != "system"]
    if len(turns) == 1 and turns[0]["role"] == "user" and turns[0]["content"] == item.prompt:
        return item  # sent unchanged: the common case needs no new model
    msgs = [Message(**m) for m in turns]
    prompt: str | list[Message] = msgs[0].content if len(msgs) == 1 else msgs
    if prompt == item.prompt:
        return item
    return item.model_copy(update={"prompt": prompt})


class StoredItems:
    """Items parsed from their stored JSON on demand. Cells come in about plan order,
    where one item's transforms and epochs are neighbours, so a small cache serves them
    without holding every item of a large run."""

    def __init__(self, limit: int = 4096) -> None:
        self.limit = limit
        self.cache: dict[tuple[str, str], Item] = {}

    def get(self, suite: str, item_id: str, data: str) -> Item:
        key = (suite, item_id)
        item = self.cache.get(key)
        if item is None:
            if len(self.cache) >= self.limit:
                self.cache.clear()
            item = self.cache[key] = Item.model_validate_json(data)
        return item


def details_json(details: Mapping[str, object] | None) -> str | None:
    return json.dumps(details, ensure_ascii=False, sort_keys=True) if details else None


def label_rows(
    name: str, version: str, fn: Scorer, keys: Sequence[str], inputs: Sequence[ScoreInput]
) -> list[LabelRow]:
    """One scorer over a batch: a row per cell it applies to (``not_applicable`` is
    derived from the item, never stored)."""
    return [
        (key, name, version, s.label, s.value, details_json(s.details))
        for key, s in zip(keys, fn(inputs), strict=True)
        if s.label != NOT_APPLICABLE
    ]
