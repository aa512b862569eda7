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


def _inputs(
    con: Any, items: dict[tuple[str, str], Item], name: str, version: str, force: bool
) -> Iterator[tuple[str, ScoreInput]]:
    """Every finished cell, or (unless ``force``) those this scorer version has not scored."""
    sql = (
        "SELECT c.key, c.suite, c.item_id, c.messages, c.status, r.text, r.finish_reason "
        "FROM cells c LEFT JOIN responses r ON r.cell_key = c.key "
    )
    args: tuple[str, ...] = ()
    if not force:
        sql += (
            "WHERE NOT EXISTS (SELECT 1 FROM scores s WHERE s.cell_key = c.key "
            "AND s.scorer = ? AND s.scorer_version = ?) "
        )
        args = (name, version)
    for key, suite, item_id, messages, status, text, finish in con.execute(
        sql + "ORDER BY c.seq, c.key", args
    ):
        item = _sent_item(items[(suite, item_id)], json.loads(messages))
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
        items = {k: Item.model_validate(v) for k, v in store.items().items()}
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
                for batch in _batches(_inputs(reader, items, name, version, force), BATCH):
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
