"""The report's drill-down data written by a second process, for large runs.

At the end of a run the record (analysis) and the drill-down cells (every cell's
prompt, answer and labels, streamed from the store) are the two big pieces of work and
neither needs the other, so ``anjeon.run`` starts this process as soon as the engine is
done (its imports overlap the rest of the run's end), tells it to ``go`` once the run's
labels are final, and builds the record on the other core meanwhile; the report then
copies the file the process wrote where ``write_cells`` would have written. The bytes
are the same: the same function writes them. If the process fails, the report writes
the cells itself.

The child is a fresh interpreter (``python -m anjeon.reports._cells_job``), never a
fork of the running process and never a re-import of the user's ``__main__``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from anjeon.store import RunStore

if TYPE_CHECKING:
    from anjeon.reports._cells import CellsSummary

#: runs with fewer cells write them in the report's own process: starting a second
#: interpreter (about half a second of imports) is worth it only for large runs
CELLS_JOB_MIN = 5000
_SUFFIX = ".cells.tmp"


class CellsJob:
    """A started child writing the drill-down data of a run into a file."""

    def __init__(self, run_dir: Path, path: Path) -> None:
        env = dict(os.environ)
        # the child imports this very anjeon, wherever it was imported from
        root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join([root, *filter(None, [env.get("PYTHONPATH")])])
        self.path = path
        self.proc = subprocess.Popen(
            [*_command(), str(run_dir), str(path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            start_new_session=True,  # Ctrl-C goes to the run, which stops this one
        )

    def go(self) -> None:
        """The run's labels are final: write the cells now."""
        stdin, self.proc.stdin = self.proc.stdin, None  # (communicate() then skips it)
        if stdin is not None and not stdin.closed:
            try:
                stdin.write(b"go\n")
                stdin.close()
            except OSError:
                pass  # the child is gone: copy_to says so

    def copy_to(self, out: TextIO, timeout: float = 600.0) -> CellsSummary | None:
        """Wait for the child and copy what it wrote to ``out``; None (nothing written
        to ``out``) if it failed: the caller then writes the cells itself."""
        self.go()
        try:
            try:
                stdout, _ = self.proc.communicate(timeout=timeout)
                if self.proc.returncode != 0:
                    return None
                summary: CellsSummary = json.loads(stdout)
                f = open(self.path, encoding="utf-8")  # noqa: SIM115 (closed below)
            except (OSError, ValueError, subprocess.TimeoutExpired):
                return None
            with f:  # from here on a failure is the report's own (a full disk ...)
                while chunk := f.read(1 << 20):
                    out.write(chunk)
            return summary
        finally:
            self.close()

    def close(self) -> None:
        """Stop the child if it still runs (never told to go, or not waited for)."""
        if self.proc.stdin is not None and not self.proc.stdin.closed:
            self.proc.stdin.close()  # end of input without "go": the child just exits
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self.path.unlink(missing_ok=True)


def _command() -> list[str]:
    """The child's command line (a seam for the tests)."""
    return [sys.executable, "-m", "anjeon.reports._cells_job"]


def start_cells(run_dir: Path, report: Path) -> CellsJob | None:
    """A process ready to write the drill-down data of a large run (``CELLS_JOB_MIN``
    cells or more) for the report at ``report``, once told to ``go`` (``copy_to`` does);
    None for a small run or when no process starts (``write_report`` then writes the
    cells itself)."""
    store = RunStore.open(run_dir)
    try:
        if store.n_cells() < CELLS_JOB_MIN:
            return None
    finally:
        store.close()
    try:
        return CellsJob(run_dir, report.with_name(report.name + _SUFFIX))
    except OSError:
        return None


def child(run_dir: str, path: str) -> int:
    """Once told to go (a line on stdin), write the cells of ``run_dir`` to ``path`` and
    print their summary as JSON; without it (stdin ends), exit."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the run decides when to stop
    from anjeon.reports._cells import write_cells

    if sys.stdin.readline().strip() != "go":
        return 0
    with open(path, "w", encoding="utf-8") as f:
        summary = write_cells(Path(run_dir), f)
    print(json.dumps(summary, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(child(sys.argv[1], sys.argv[2]))
