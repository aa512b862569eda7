"""One writer per run directory: an exclusive lock held for a writing process's life.

The lock is ``flock`` on ``RUN_DIR/lock``: the kernel releases it when its holder
dies, however it dies, so a lock left by a killed process is free for the next one
(stale locks are taken over without guessing from pids). The file also records who
holds it (pid, start time, command), so a refused writer can say whom it waited on.

Writers (``run``, ``run --resume``, ``score``, writing ``record.json`` and the report)
take it before anything in the directory changes; readers (``runs show``, ``report
--format text``) never take it and work on a live run.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from anjeon._errors import InputError
from anjeon._json import JSONObject

LOCK_NAME = "lock"
NEW_RUN_LOCK = ".anjeon-new-run.lock"

# run dir (resolved) -> [fd, depth]: re-entrant within one process
_held: dict[Path, list[int]] = {}
_sticky = False


class RunLocked(InputError):
    """The run directory is in use by another process (the CLI exits with
    ``anjeon._exitcodes.LOCKED``)."""

    def __init__(self, run_dir: Path, holder: JSONObject) -> None:
        pid = holder.get("pid", "?")
        since = holder.get("started_at", "an unknown time")
        cmd = holder.get("command")
        where = f" on {holder['host']}" if holder.get("host") else ""
        super().__init__(
            f"{run_dir}: in use by another anjeon process (pid {pid}{where}, since {since}"
            + (f": {cmd}" if cmd else "")
            + "); wait for it to finish, or stop it, then try again"
        )
        self.run_dir, self.holder = run_dir, holder


@contextmanager
def keep_locks() -> Iterator[None]:
    """Within the block, locks taken stay held until its end (``anjeon.run``: the run's
    lock then covers the record and the report written after the engine stops)."""
    global _sticky
    if _sticky:
        yield
        return
    before = set(_held)
    _sticky = True
    try:
        yield
    finally:
        _sticky = False
        for key in set(_held) - before:
            fd, depth = _held[key]
            if depth == 0:
                del _held[key]
                os.close(fd)


def release_all() -> None:
    """Drop every lock this process holds and stop keeping them (the end of a CLI
    command; when the process ends the kernel does the same)."""
    global _sticky
    _sticky = False
    while _held:
        _, (fd, _depth) = _held.popitem()
        os.close(fd)


def holder(run_dir: Path) -> JSONObject:
    """Who holds (or last held) the lock, as recorded in the file."""
    try:
        data = json.loads((run_dir / LOCK_NAME).read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def is_locked(run_dir: Path) -> bool:
    """True while another process holds the run directory's lock."""
    if Path(run_dir).resolve() in _held:
        return False
    try:
        # read-only: a reader may look at a run it cannot write (flock works on it)
        fd = os.open(run_dir / LOCK_NAME, os.O_RDONLY)
    except OSError:
        return False
    try:
        return not _try_lock(fd)
    finally:
        os.close(fd)  # closing drops the probe's lock, if it got one


@contextmanager
def run_lock(run_dir: Path) -> Iterator[None]:
    """Hold the run directory's lock for the block; raises RunLocked at once when
    another process holds it."""
    key = Path(run_dir).resolve()
    entry = _held.get(key)
    if entry is not None:
        entry[1] += 1
    else:
        _held[key] = [_acquire(Path(run_dir)), 1]
    try:
        yield
    finally:
        entry = _held[key]
        entry[1] -= 1
        if entry[1] == 0 and not _sticky:
            del _held[key]
            os.close(entry[0])


@contextmanager
def new_run_lock(runs_dir: Path) -> Iterator[None]:
    """Serialise choosing or creating a run in ``runs_dir`` (held briefly, blocking):
    two identical commands started together then find one run, not one each."""
    runs_dir.mkdir(parents=True, exist_ok=True)
    fd = _open(runs_dir / NEW_RUN_LOCK, create=True)
    assert fd is not None
    try:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _acquire(run_dir: Path) -> int:
    path = run_dir / LOCK_NAME
    fd = _open(path, create=True)
    if fd is None:
        raise InputError(f"{path}: cannot create the run's lock file")
    if not _try_lock(fd):
        os.close(fd)
        raise RunLocked(run_dir, holder(run_dir))
    info = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started": time.time(),
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "command": " ".join(["anjeon", *sys.argv[1:3]]) if sys.argv else None,
    }
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps(info).encode(), 0)
    return fd


def _open(path: Path, *, create: bool) -> int | None:
    flags = os.O_RDWR | (os.O_CREAT if create else 0)
    try:
        return os.open(path, flags, 0o644)
    except FileNotFoundError:
        return None
    except OSError as e:
        raise InputError(f"{path}: cannot open the run's lock file: {e.strerror}") from None


def _try_lock(fd: int) -> bool:
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True
