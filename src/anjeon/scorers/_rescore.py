"""Scoring a finished run from its store: the target is never called again."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from anjeon._errors import InputError
from anjeon.scorers._base import ScoreInput, scorers
from anjeon.suites import Item, Message

BATCH = 2000
Progress = Callable[[str, int], None]


def _sent_item(item: Item, messages: list[dict[str, str]]) -> Item:
    """The item as it was sent: a transform may have rewritten the prompt."""
    turns = [Message(**m) for m in messages if m["role"] != "system"]
    prompt: str | list[Message] = turns[0].content if len(turns) == 1 else turns
    if prompt == item.prompt:
        return item
    return item.model_copy(update={"prompt": prompt})


class _Items:
    """Items parsed from the store on demand. Cells come in plan order, where one item's
    transforms and epochs are neighbours, so a small cache serves them without holding
    every item of a large run."""

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


def _inputs(con: Any, name: str, version: str, force: bool) -> Iterator[tuple[str, ScoreInput]]:
    """Every finished cell, or (unless ``force``) those this scorer version has not scored."""
    sql = (
        "SELECT c.key, c.suite, c.item_id, i.data, c.messages, c.status, r.text, "
        "r.finish_reason FROM cells c JOIN items i ON i.suite = c.suite AND i.item_id = c.item_id "
        "LEFT JOIN responses r ON r.cell_key = c.key "
    )
    args: tuple[str, ...] = ()
    if not force:
        sql += (
            "WHERE NOT EXISTS (SELECT 1 FROM scores s WHERE s.cell_key = c.key "
            "AND s.scorer = ? AND s.scorer_version = ?) "
        )
        args = (name, version)
    items = _Items()
    for key, suite, item_id, data, messages, status, text, finish in con.execute(
        sql + "ORDER BY c.seq, c.key", args
    ):
        item = _sent_item(items.get(suite, item_id, data), json.loads(messages))
        response = text if status == "answered" else None
        yield key, ScoreInput(item, response, finish)


def _batches(
    it: Iterator[tuple[str, ScoreInput]], n: int
) -> Iterator[list[tuple[str, ScoreInput]]]:
    batch: list[tuple[str, ScoreInput]] = []
    for x in it:
        batch.append(x)
        if len(batch) == n:
            yield batch
            batch = []
    if batch:
        yield batch


def _details(details: dict[str, Any] | None) -> str | None:
    return json.dumps(details, ensure_ascii=False, sort_keys=True) if details else None


def score_run(
    run_dir: Path,
    names: Sequence[str] | None = None,
    *,
    force: bool = False,
    progress: Progress | None = None,
) -> dict[str, int]:
    """Run the named scorers (default: all registered) over every finished cell.

    Only cells this scorer version has not scored yet are scored, unless ``force``.
    Returns the number of cells scored per scorer.
    """
    from anjeon.store import RunStore

    known = scorers.names()
    names = list(names) if names else known
    unknown = [n for n in names if n not in known]
    if unknown:
        raise InputError(f"unknown scorer(s): {', '.join(unknown)} (known: {', '.join(known)})")
    store = RunStore.open(run_dir)
    try:
        con = store.con
        done: dict[str, int] = {}
        for name in names:
            entry = scorers.entry(name)
            version = str(entry.meta.get("version", "0"))
            # one version per scorer in a run: an upgraded scorer replaces the old labels
            con.execute("DELETE FROM scores WHERE scorer = ? AND scorer_version != ?",
                        (name, version))  # fmt: skip
            n = 0
            # read through a second connection: a WAL snapshot that the writes below
            # cannot disturb, so the cells stream instead of being held whole
            reader = sqlite3.connect(store.path)
            try:
                for batch in _batches(_inputs(reader, name, version, force), BATCH):
                    scores = entry.obj([x for _, x in batch])
                    rows = [
                        (key, name, version, s.label, s.value, _details(s.details))
                        for (key, _), s in zip(batch, scores, strict=True)
                    ]
                    store.write_scores(rows)
                    n += len(rows)
                    if progress is not None:
                        progress(name, n)
            finally:
                reader.close()
            done[name] = n
        return done
    finally:
        store.close()
