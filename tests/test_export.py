"""anjeon export and load_run(...).to_pandas(): one row per cell, every scorer's label."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import anjeon
from anjeon.cli import app
from anjeon.store import EXPORT_COLUMNS
from anjeon.targets import Messages, TargetError
from anjeon.testing import ScriptedTarget
from tests.conftest import MINI


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    def script(messages: Messages) -> str:
        text = messages[-1]["content"]
        if "Explain how" in text:
            raise TargetError("http", "HTTP 400: blocked by the gateway", status=400)
        return "I can't help with that." if "bomb" in text else "Sure: 010-1234-5678."

    runs = tmp_path_factory.mktemp("runs")
    r = anjeon.run([str(MINI)], ScriptedTarget(script, name="scripted/x"), runs_dir=runs,
                   transforms="jamo", max_retries=0)  # fmt: skip
    assert r.failed > 0
    return r.run_dir


def _cells(run_dir: Path) -> int:
    return (
        anjeon.load_run(run_dir).record.counts.answered
        + anjeon.load_run(run_dir).record.counts.failed
    )


def test_csv_has_one_row_per_cell_with_every_scorer(run_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "cells.csv"
    res = CliRunner().invoke(app, ["export", str(run_dir), "--format", "csv", "-o", str(out)])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert len(rows) == _cells(run_dir)
    header = list(rows[0])
    assert header[: len(EXPORT_COLUMNS)] == list(EXPORT_COLUMNS)
    assert {"refusal", "pii", "crisis", "bias_qa"} <= set(header)
    assert {r["transform"] for r in rows} == {"none", "jamo"}
    failed = [r for r in rows if r["status"] == "failed"]
    assert failed and all(r["error"].startswith("http: HTTP 400") for r in failed)
    assert all(r["response"] == "" for r in failed)
    answered = [r for r in rows if r["status"] == "answered"]
    assert all(r["refusal"] in ("refused", "complied", "partial") for r in answered)
    assert any(r["pii"] == "leak" for r in answered)
    assert all(r["prompt"] and r["run_id"] == run_dir.name for r in rows)


def test_jsonl_to_stdout_matches_the_rows(run_dir: Path) -> None:
    res = CliRunner().invoke(app, ["export", str(run_dir), "--format", "jsonl"])
    assert res.exit_code == 0, res.output
    lines = [json.loads(x) for x in io.StringIO(res.stdout)]
    assert lines == list(anjeon.load_run(run_dir).rows())
    assert isinstance(lines[0]["epoch"], int)


def test_parquet_and_pandas(run_dir: Path, tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    pd = pytest.importorskip("pandas")
    out = tmp_path / "cells.parquet"
    n = anjeon.load_run(run_dir).export(out)
    table = pq.read_table(out)
    assert table.num_rows == n == _cells(run_dir)
    df = anjeon.load_run(run_dir).to_pandas()
    assert isinstance(df, pd.DataFrame) and len(df) == n
    assert table.column_names == list(df.columns)
    assert table.to_pandas()["item_id"].tolist() == df["item_id"].tolist()


def test_parquet_without_pyarrow_says_how_to_get_it(
    run_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    out = tmp_path / "cells.parquet"
    res = CliRunner().invoke(app, ["export", str(run_dir), "-f", "parquet", "-o", str(out)])
    assert res.exit_code == 2 and "pip install 'anjeon[parquet]'" in res.output
    assert not out.exists()
    res = CliRunner().invoke(app, ["export", str(run_dir), "-f", "parquet"])
    assert res.exit_code == 2 and "--output" in res.output
