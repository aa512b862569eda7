"""Run directories: ``runs/<run-id>/`` with ``run.yaml`` (config) and ``run.db``."""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypedDict

import yaml

from anjeon._errors import InputError
from anjeon._json import JSONValue
from anjeon.store._config import load_config
from anjeon.store._lock import is_locked
from anjeon.store._store import DB_NAME, RunStore, pid_alive

CONFIG_NAME = "run.yaml"


def new_run_id(model: str) -> str:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    slug = re.sub(r"[^A-Za-z0-9._-]+", "-", model).strip("-")[:40]
    return f"{stamp}-{slug}-{secrets.token_hex(2)}"


def is_run_dir(path: Path) -> bool:
    return (path / CONFIG_NAME).is_file() and (path / DB_NAME).is_file()


def find_run(ref: str | Path, runs_dir: Path | None = None) -> Path:
    """A run directory from a path or a run id (looked up in ``runs_dir``)."""
    path = Path(ref)
    candidates = [path]
    if runs_dir is not None and len(path.parts) == 1:
        candidates.append(runs_dir / path)
    for c in candidates:
        if is_run_dir(c):
            return c
    for c in candidates:
        if c.exists():
            raise InputError(f"{c}: not a run directory (expected {CONFIG_NAME} and {DB_NAME})")
    raise InputError(f"no such run: {ref}")


def read_config(run_dir: Path) -> dict[str, Any]:
    """The run's config as written, after validating it as a ``RunConfig`` (a hand-edited
    mistake is an InputError naming the file, line and field)."""
    return load_config(run_dir / CONFIG_NAME).model_dump(mode="json")


def write_config(run_dir: Path, config: Mapping[str, object]) -> None:
    tmp = run_dir / (CONFIG_NAME + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        yaml.safe_dump(config, f, allow_unicode=True, sort_keys=False)
    tmp.replace(run_dir / CONFIG_NAME)


def run_status(meta: Mapping[str, object], run_dir: Path | None = None) -> str:
    """``running`` only while its process lives (holds the run's lock, when the
    directory is given); a killed run is ``incomplete``."""
    status = str(meta.get("status", "incomplete"))
    if status == "running":
        alive = is_locked(run_dir) if run_dir is not None else False
        pid = meta.get("pid")
        if not alive and not pid_alive(pid if isinstance(pid, int) else 0):
            return "incomplete"
    return status


class RunSummary(TypedDict):
    """What ``anjeon runs show`` prints (``--format json``: these keys, in this order)."""

    run_id: str
    path: str
    status: str
    stop_reason: JSONValue
    created: str | None
    finished: JSONValue
    model: str | None
    suites: list[str]
    transforms: list[str]
    epochs: int
    planned: int
    answered: int
    failed: int
    pending: int
    requests: int
    errors_by_kind: dict[str, int]
    terminal_errors_by_kind: dict[str, int]
    scores: dict[str, dict[str, int]]
    anjeon_version: str | None


class DamagedRun(TypedDict):
    """A run directory ``anjeon runs list`` cannot read, listed with why."""

    run_id: str
    path: str
    status: str
    error: str
    model: None
    suites: list[str]
    planned: None
    answered: None
    failed: None


def summarize(run_dir: Path) -> RunSummary:
    """The facts ``anjeon runs show`` prints (stable keys for ``--format json``)."""
    cfg = read_config(run_dir)
    store = RunStore.open(run_dir)
    try:
        meta = store.meta()
        counts = store.counts()
        errors = store.error_kinds()
        terminal = store.error_kinds(terminal_only=True)
        scores = store.score_labels()
    finally:
        store.close()
    planned = int(cfg.get("planned", 0))
    done = counts["answered"] + counts["failed"]
    return {
        "run_id": cfg["run_id"],
        "path": str(run_dir),
        "status": run_status(meta, run_dir),
        "stop_reason": meta.get("stop_reason"),
        "created": cfg.get("created"),
        "finished": meta.get("finished"),
        "model": cfg.get("target", {}).get("name"),
        "suites": [f"{s['id']}@{s['version']}" for s in cfg.get("suites", [])],
        "transforms": [t["name"] for t in cfg.get("transforms", [])],
        "epochs": cfg.get("epochs", 1),
        "planned": planned,
        "answered": counts["answered"],
        "failed": counts["failed"],
        "pending": max(0, planned - done),
        "requests": counts["requests"],
        "errors_by_kind": errors,
        "terminal_errors_by_kind": terminal,
        "scores": scores,
        "anjeon_version": cfg.get("anjeon_version"),
    }


def list_runs(runs_dir: Path) -> list[RunSummary | DamagedRun]:
    if not runs_dir.is_dir():
        return []
    out: list[RunSummary | DamagedRun] = []
    for d in sorted(runs_dir.iterdir()):
        if is_run_dir(d):
            try:
                out.append(summarize(d))
            except InputError as e:
                # one damaged run must not hide the others: listed, with why
                out.append(_damaged(d, str(e)))
    return out


def _damaged(run_dir: Path, why: str) -> DamagedRun:
    return {
        "run_id": run_dir.name,
        "path": str(run_dir),
        "status": "damaged",
        "error": why,
        "model": None,
        "suites": [],
        "planned": None,
        "answered": None,
        "failed": None,
    }


def find_resumable(runs_dir: Path, config_hash: str) -> Path | None:
    """The newest run with the same config, so rerunning a command resumes it (and
    rerunning a finished one runs nothing: ``--new`` asks for a fresh run)."""
    if not runs_dir.is_dir():
        return None
    runs = [d for d in runs_dir.iterdir() if is_run_dir(d)]
    # newest first by creation (run.yaml is written once, when the run is created)
    for d in sorted(runs, key=lambda d: (d / CONFIG_NAME).stat().st_mtime, reverse=True):
        try:
            cfg = read_config(d)
        except InputError:
            continue
        if cfg.get("config_hash") != config_hash:
            continue
        # a run in use by another process is refused by its lock, naming the holder
        return d
    return None
