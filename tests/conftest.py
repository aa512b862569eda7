from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
MINI = FIXTURES / "run" / "mini.jsonl"  # the small suite the run tests use (21 items)


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES


def run_rows(
    run_dir: Path | str, sql: str, *, timeout: float = 10, missing_ok: bool = False
) -> list[tuple[Any, ...]]:
    """The rows of a query on a run's store, for tests that check what was written
    (``missing_ok``: no rows while the store or its table is not there yet)."""
    try:
        con = sqlite3.connect(Path(run_dir) / "run.db", timeout=timeout)
        try:
            return con.execute(sql).fetchall()
        finally:
            con.close()
    except sqlite3.OperationalError:
        if missing_ok:
            return []
        raise
