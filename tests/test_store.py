"""The run store: schema versions, migrations, batches, run directories."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from anjeon._errors import InputError
from anjeon.store import (
    SCHEMA_VERSION,
    RunStore,
    SchemaError,
    find_run,
    migrate,
    run_status,
)


def cell(key: str, status: str) -> tuple[object, ...]:
    return (key, 1, "s", "i", "en-US", "vcr", "none", "{}", 0, "[]", status, 1, 0.0)


def test_new_store_is_at_the_current_schema_in_wal_mode(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "run.db")
    assert store.con.execute("SELECT version FROM schema_version").fetchall() == [(SCHEMA_VERSION,)]
    assert store.con.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    tables = {
        n for (n,) in store.con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    }
    assert {"cells", "requests", "responses", "errors", "scores", "meta"} <= tables
    store.close()
    # reopening migrates nothing and keeps the data
    assert migrate(sqlite3.connect(tmp_path / "run.db")) == SCHEMA_VERSION


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    RunStore(tmp_path / "run.db").close()
    con = sqlite3.connect(tmp_path / "run.db")
    con.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    con.commit()
    con.close()
    with pytest.raises(SchemaError, match="upgrade anjeon"):
        RunStore(tmp_path / "run.db")


def test_batches_are_atomic_and_counted(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "run.db")
    store.write(
        cells=[cell("a", "answered"), cell("b", "failed")],  # type: ignore[list-item]
        requests=[("a", 1, 0.0, 0.1, 200, "ok"), ("b", 1, 0.0, 0.1, 400, "http")],
        responses=[("a", "hi", "stop", 1, 1, 0.1)],
        errors=[("b", 1, "http", 400, "HTTP 400", 1)],
    )
    with pytest.raises(sqlite3.IntegrityError):
        store.write(cells=[cell("c", "answered"), cell("d", "weird")])  # type: ignore[list-item]
    assert store.finished_keys() == {"a", "b"}  # the failed batch left nothing behind
    assert store.counts() == {"answered": 1, "failed": 1, "requests": 2}
    assert store.error_kinds(terminal_only=True) == {"http": 1}
    assert store.forget_failed() == 1 and store.finished_keys() == {"a"}
    store.set_meta(status="running", pid=2**22 + 12345)
    assert run_status(store.meta()) == "incomplete"  # that process does not exist
    store.close()


def test_find_run_refuses_what_is_not_a_run(tmp_path: Path) -> None:
    (tmp_path / "plain").mkdir()
    with pytest.raises(InputError, match="not a run directory"):
        find_run(tmp_path / "plain")
    with pytest.raises(InputError, match="no such run"):
        find_run("nothing-here", tmp_path)
