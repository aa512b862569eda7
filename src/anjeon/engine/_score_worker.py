"""Inline scoring in a second process, for large runs.

The engine's event loop does everything on one core: sending requests, parsing
answers, writing the store. Scoring every answer there (the refusal classifier, pii,
crisis, bias_qa) took about a fifth of a fast run's CPU, while the machine's other core
waited. Here a child process reads the cells the writer has committed (a read-only
connection beside the writer: WAL readers never block it), labels them with the same
scorers and sends the label rows back through a pipe; the writer stores them with its
next batch, so the run still has a single writer. When the engine is done it closes
the child's stdin; the child labels what is left, says so, and exits.

The child is a fresh interpreter (``python -m anjeon._scoring_process``, which imports
the scorers and the store, not the engine), never a fork of the running process (its
event loop, sockets and SQLite connection) and never a re-import of the user's
``__main__``. Anything wrong with it (it cannot start, dies,
falls too far behind) turns inline scoring off for the run, exactly as a failing
inline scorer does: the end of the run then scores what has no label.
"""

from __future__ import annotations

import asyncio
import json
import os
import pickle
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from anjeon._scoring_process import FRAME
from anjeon.store import ScoreRow

if TYPE_CHECKING:
    from anjeon.engine._plan import Cell
    from anjeon.targets import Reply

#: sessions with fewer cells to run score in the engine's own process: starting a
#: second interpreter (about half a second of imports) is worth it only for large runs
WORKER_MIN_CELLS = 5000


class ScoreWorker:
    """The engine's writer hook (``ScoreHook``) backed by a scoring process: each call
    returns the label rows the child has sent since the last call."""

    def __init__(self, db: Path, versions: dict[str, str], after: int) -> None:
        """``versions``: scorer name -> version, as the parent registered them (the
        child refuses to label with any other); ``after``: label only the cells with a
        greater rowid (the ones this session writes)."""
        env = dict(os.environ)
        # the child imports this very anjeon, wherever it was imported from
        root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join([root, *filter(None, [env.get("PYTHONPATH")])])
        self.proc = subprocess.Popen(
            [*_command(), str(db), json.dumps(versions), str(after)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            # its own session: Ctrl-C at the terminal goes to the engine, which decides
            start_new_session=True,
        )
        assert self.proc.stdout is not None
        self._out = self.proc.stdout.fileno()
        os.set_blocking(self._out, False)
        self._buf = bytearray()
        self._eof = False
        self.done = False
        self.error: str | None = None

    def __call__(self, batch: Sequence[tuple[Cell, Reply]]) -> list[ScoreRow]:
        rows = self._read()
        if self.error is not None:
            raise RuntimeError(self.error)
        return rows

    def _read(self) -> list[ScoreRow]:
        """Whatever the pipe holds now, without waiting."""
        while not self._eof:
            try:
                chunk = os.read(self._out, 1 << 20)
            except BlockingIOError:
                break
            if not chunk:
                self._eof = True
            self._buf += chunk
        rows: list[ScoreRow] = []
        buf = self._buf
        start = 0
        while len(buf) - start >= FRAME.size:
            (n,) = FRAME.unpack_from(buf, start)
            end = start + FRAME.size + n
            if len(buf) < end:
                break
            # our own child's messages (label rows), never data from elsewhere
            kind, payload = pickle.loads(buf[start + FRAME.size : end])
            start = end
            if kind == "rows":
                rows.extend(payload)
            elif kind == "done":
                self.done = True
            elif self.error is None:
                self.error = f"the scoring process failed: {payload}"
        del buf[:start]
        if self._eof and not self.done and self.error is None:
            self.error = f"the scoring process exited early (exit code {self.proc.wait()})"
        return rows

    async def finish(self, timeout: float) -> list[ScoreRow]:
        """Every cell is written: the labels the child has not sent yet. Raises
        RuntimeError when the child fails or takes longer than ``timeout`` seconds."""
        assert self.proc.stdin is not None
        self.proc.stdin.close()  # end of input: the child labels the rest and says done
        rows: list[ScoreRow] = []
        deadline = time.monotonic() + timeout
        while True:
            rows.extend(self._read())
            if self.error is not None:
                raise RuntimeError(self.error)
            if self.done:
                return rows
            if time.monotonic() > deadline:
                raise RuntimeError(f"the scoring process did not finish in {timeout:.0f} s")
            await asyncio.sleep(0.005)

    def close(self) -> None:
        """Stop the child if it still runs (an interrupted or failed run)."""
        if self.proc.stdin is not None and not self.proc.stdin.closed:
            self.proc.stdin.close()
        if self.proc.poll() is None:
            if not self.done:
                self.proc.kill()
            self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()


def _command() -> list[str]:
    """The child's command line (a seam for the tests)."""
    return [sys.executable, "-m", "anjeon._scoring_process"]


def start_worker(db: Path, versions: dict[str, str], after: int) -> ScoreWorker | None:
    """A scoring process for the run whose store is ``db``, or None (with a warning)
    when one cannot start: the engine then scores in its own process."""
    try:
        return ScoreWorker(db, versions, after)
    except OSError as e:
        print(f"warning: scoring in this process ({e})", file=sys.stderr)
        return None
