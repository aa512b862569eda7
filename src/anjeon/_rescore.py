"""Scoring a finished run from its store: the target is never called again.

A pipeline step above the scorers (which stay pure batch functions) and the store
(which owns the SQL): it reads cells from one, labels them with the other.

One pass over the cells for every scorer that still has cells to score: the cells are
read in bounded batches in the table's own (insertion) order, each batch with the
scorers that have not scored it, so neither the cells nor the set of scored keys is
ever held whole and SQLite never sorts the run.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from anjeon._errors import InputError
from anjeon.scorers import ScoreInput, Scorer, StoredItems, label_rows, scorers, sent_item

BATCH = 2000
Progress = Callable[[str, int], None]


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
        items = StoredItems()
        versions = [(n, v) for n, v, _ in run]
        after = 0
        while True:
            rows = store.cells_to_score(versions, after, BATCH, force=force)
            if not rows:
                break
            after = rows[-1][0]
            todo: list[list[tuple[str, ScoreInput]]] = [[] for _ in run]
            for _, key, suite, item_id, data, messages, status, text, finish, *need in rows:
                item = sent_item(items.get(suite, item_id, data), messages)
                x = ScoreInput(item, text if status == "answered" else None, finish)
                for j, flag in enumerate(need):
                    if flag:
                        todo[j].append((key, x))
            out: list[ScoreRow] = []
            for (name, version, fn), cells in zip(run, todo, strict=True):
                if not cells:
                    continue
                labelled = label_rows(
                    name, version, fn, [k for k, _ in cells], [x for _, x in cells]
                )
                out.extend(labelled)
                done[name] += len(labelled)
            store.write_scores(out)
            if progress is not None:
                for (name, _, _), cells in zip(run, todo, strict=True):
                    if cells:
                        progress(name, done[name])
        return done
    finally:
        store.close()
