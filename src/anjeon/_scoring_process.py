"""The scoring process of a large run (see ``anjeon.engine._score_worker``, its parent
side): label the cells the engine's writer commits and send the label rows back.

    python -m anjeon._scoring_process RUN_DB VERSIONS_JSON AFTER_ROWID

A module of its own, above the scorers and the store, so that the process imports
those and not the engine (aiohttp, transforms, targets): it starts in about half the
time. It reads the store through a read-only connection (a WAL reader never blocks the
writer) and writes nothing; stdout carries length-prefixed pickled messages,
``("rows", [...])``, then ``("done", None)`` or ``("error", text)``; the end of stdin
means the writer is done.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import select
import signal
import struct
import sys
from typing import IO

from anjeon.scorers import ScoreInput, Scorer, StoredItems, label_rows, scorers, sent_item
from anjeon.store import RunStore, ScoreRow
from anjeon.store._store import ToScoreRow

BATCH = 2000  # cells per read and per message
IDLE = 0.05  # seconds the child waits for new cells before it looks again
FRAME = struct.Struct("<Q")  # the length of each pickled message


def _send(out: IO[bytes], kind: str, payload: object) -> None:
    data = pickle.dumps((kind, payload), protocol=pickle.HIGHEST_PROTOCOL)
    out.write(FRAME.pack(len(data)) + data)
    out.flush()


def _label(
    rows: list[ToScoreRow], run: list[tuple[str, str, Scorer]], items: StoredItems
) -> list[ScoreRow]:
    """The rows the inline hook would have written for these cells: answered cells only
    (a failed cell is labelled, unscoreable, by the end of the run as before)."""
    keys: list[str] = []
    inputs: list[ScoreInput] = []
    for _, key, suite, item_id, data, messages, status, text, finish, *_ in rows:
        if status != "answered":
            continue
        item = sent_item(items.get(suite, item_id, data), messages)
        keys.append(key)
        inputs.append(ScoreInput(item, text, finish))
    out: list[ScoreRow] = []
    for name, version, fn in run:
        out.extend(label_rows(name, version, fn, keys, inputs))
    return out


def child(db: str, versions: dict[str, str], after: int) -> int:
    """The scoring process: label the cells committed after ``after`` until stdin ends."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the engine decides when to stop
    # background work: the engine and the server it waits on (on a small machine, often
    # the same one) come first; labelling keeps up in the time they leave
    with contextlib.suppress(OSError, AttributeError):
        os.nice(10)
    out = sys.stdout.buffer
    stdin = sys.stdin.buffer.fileno()
    try:
        run: list[tuple[str, str, Scorer]] = []
        for name, version in versions.items():
            entry = scorers.entry(name)
            mine = str(entry.meta.get("version", "0"))
            if mine != version:
                raise RuntimeError(f"scorer {name} is version {mine} here, {version} in the run")
            run.append((name, version, entry.obj))
        store = RunStore(db, readonly=True)
        items = StoredItems()
        pairs = list(versions.items())
        ending = False
        while True:
            rows = store.cells_to_score(pairs, after, BATCH, force=True)
            if rows:
                after = int(rows[-1][0])
                _send(out, "rows", _label(rows, run, items))
                continue
            if ending:
                break
            ready, _, _ = select.select([stdin], [], [], IDLE)
            if ready and not os.read(stdin, 1 << 16):
                ending = True  # the writer is done: one more look, then the end
        store.close()
        _send(out, "done", None)
    except BrokenPipeError:
        return 1  # the engine is gone
    except Exception as e:
        with contextlib.suppress(OSError):
            _send(out, "error", f"{type(e).__name__}: {e}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(child(sys.argv[1], json.loads(sys.argv[2]), int(sys.argv[3])))
