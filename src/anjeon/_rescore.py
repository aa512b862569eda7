"""Scoring a finished run from its store: the target is never called again.

A pipeline step above the scorers (which stay pure batch functions) and the store
(which owns the SQL): it reads cells from one, labels them with the other.

One pass over the cells for every scorer that still has cells to score: the cells are
read in bounded batches in the table's own (insertion) order, each batch with the
scorers that have not scored it, so neither the cells nor the set of scored keys is
ever held whole and SQLite never sorts the run.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from anjeon._errors import InputError
from anjeon.scorers import NOT_APPLICABLE, ScoreInput, Scorer, scorers
from anjeon.suites import Item, Message

BATCH = 2000
Progress = Callable[[str, int], None]


def _sent_item(item: Item, messages: str) -> Item:
    """The item as it was sent: a transform may have rewritten the prompt."""
    turns = [m for m in json.loads(messages) if m["role"] != "system"]
    if len(turns) == 1 and turns[0]["role"] == "user" and turns[0]["content"] == item.prompt:
        return item  # sent unchanged: the common case needs no new model
    msgs = [Message(**m) for m in turns]
    prompt: str | list[Message] = msgs[0].content if len(msgs) == 1 else msgs
    if prompt == item.prompt:
        return item
    return item.model_copy(update={"prompt": prompt})


class _Items:
    """Items parsed from the store on demand. Cells come in about plan order, where one
    item's transforms and epochs are neighbours, so a small cache serves them without
    holding every item of a large run."""

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


def _details(details: Mapping[str, object] | None) -> str | None:
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
    from anjeon.store import RunStore, ScoreRow

    known = scorers.names()
    names = list(names) if names else known
    unknown = [n for n in names if n not in known]
    if unknown:
        raise InputError(f"unknown scorer(s): {', '.join(unknown)} (known: {', '.join(known)})")
    store = RunStore.open(run_dir)
    try:
        run: list[tuple[str, str, Scorer]] = []
        # the scorer versions that labelled every cell as it arrived: nothing to do
        complete = {} if force else store.inline_scores()
        for name in dict.fromkeys(names):
            entry = scorers.entry(name)
            version = str(entry.meta.get("version", "0"))
            if complete.get(name) == version:
                continue
            # one version per scorer in a run: an upgraded scorer replaces the old labels
            store.drop_other_versions(name, version)
            run.append((name, version, entry.obj))
        done = dict.fromkeys(names, 0)
        if not run:
            return done
        items = _Items()
        versions = [(n, v) for n, v, _ in run]
        after = 0
        while True:
            rows = store.cells_to_score(versions, after, BATCH, force=force)
            if not rows:
                break
            after = rows[-1][0]
            todo: list[list[tuple[str, ScoreInput]]] = [[] for _ in run]
            for _, key, suite, item_id, data, messages, status, text, finish, *need in rows:
                item = _sent_item(items.get(suite, item_id, data), messages)
                x = ScoreInput(item, text if status == "answered" else None, finish)
                for j, flag in enumerate(need):
                    if flag:
                        todo[j].append((key, x))
            out: list[ScoreRow] = []
            for (name, version, fn), cells in zip(run, todo, strict=True):
                if not cells:
                    continue
                scores = fn([x for _, x in cells])
                before = len(out)
                out.extend(
                    (key, name, version, s.label, s.value, _details(s.details))
                    for (key, _), s in zip(cells, scores, strict=True)
                    if s.label != NOT_APPLICABLE  # derived from the item, never stored
                )
                done[name] += len(out) - before
            store.write_scores(out)
            if progress is not None:
                for (name, _, _), cells in zip(run, todo, strict=True):
                    if cells:
                        progress(name, done[name])
        return done
    finally:
        store.close()
