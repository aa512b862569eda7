"""The front door: anjeon.run / run_async and the functions after a run, as a user calls
them from Python (no CLI)."""

from __future__ import annotations

import asyncio
import json
import signal
from pathlib import Path

import pytest
import yaml

import anjeon
from anjeon._errors import InputError
from anjeon.analysis import Record, load_record
from anjeon.targets import Messages
from anjeon.testing import ScriptedTarget
from tests.conftest import MINI


def test_run_by_name_returns_the_typed_record(tmp_path: Path) -> None:
    r = anjeon.run(suites=["smoke"], model="builtin/keyword-guard", runs_dir=tmp_path)
    assert r.ok and r.status == "complete" and r.pending == 0
    assert r.answered + r.failed == r.planned > 0
    assert isinstance(r.record, Record)
    on_disk = (r.run_dir / "record.json").read_text(encoding="utf-8")
    assert r.record == load_record(r.run_dir / "record.json")
    assert r.record.model_dump() == json.loads(on_disk)
    assert (r.run_dir / "report.html").is_file()
    overall = r.record.metric()
    assert overall is not None and overall.n == r.planned
    # the same call again resumes the finished run: nothing is asked twice
    again = anjeon.run(suites=["smoke"], model="builtin/keyword-guard", runs_dir=tmp_path)
    assert again.run_dir == r.run_dir and again.requests == 0 and again.resumed_from == r.planned


def test_a_target_object_is_named_truthfully_and_resumes(tmp_path: Path) -> None:
    seen_handlers: list[object] = []

    def answer(messages: Messages) -> str:
        seen_handlers.append(signal.getsignal(signal.SIGTERM))
        return "I can't help with that."

    before = signal.getsignal(signal.SIGTERM)
    target = ScriptedTarget(answer, name="scripted/always-refuses")
    r = anjeon.run(suites=[str(MINI)], model=target, runs_dir=tmp_path, report=False)
    assert r.ok and r.record is None and len(target.calls) == r.planned
    # the library installs no signal handler unless asked (asyncio.run minds SIGINT)
    assert set(map(id, seen_handlers)) == {id(before)}
    cfg = yaml.safe_load((r.run_dir / "run.yaml").read_text(encoding="utf-8"))
    assert cfg["target"]["name"] == "scripted/always-refuses"
    assert cfg["target"]["python_class"] == "anjeon.testing._scripted.ScriptedTarget"
    assert r.score_labels["refusal"] == {"refused": r.planned}
    # resuming a run whose target was an object needs the object again
    with pytest.raises(InputError, match="`model`"):
        anjeon.run(resume=r.run_dir, runs_dir=tmp_path)
    again = anjeon.run(resume=r.run_dir, model=target, runs_dir=tmp_path)
    assert again.requests == 0 and again.record is not None
    assert again.record.target.name == "scripted/always-refuses"
    assert again.record.metric(kind="harmful") is not None


def test_run_async_inside_a_running_loop(tmp_path: Path) -> None:
    async def main() -> anjeon.RunResult:
        return await anjeon.run_async(
            [str(MINI)], ScriptedTarget({}, default="Sure."), runs_dir=tmp_path, report=False
        )

    r = asyncio.run(main())
    assert r.ok and r.score_labels["refusal"].get("complied", 0) > 0


def test_errors_name_parameters_and_the_cli_names_flags(tmp_path: Path) -> None:
    with pytest.raises(InputError) as e:
        anjeon.run(suites=[str(MINI)], model="builtin/refuse-all", epochs=0, runs_dir=tmp_path)
    assert "`epochs` must be at least 1" in str(e.value)
    with pytest.raises(InputError, match=r"`resume` takes the run's own config.*`epochs`"):
        anjeon.run(resume=tmp_path, epochs=2)
    with pytest.raises(InputError, match="missing `model`"):
        anjeon.run(suites=["smoke"])
    assert not (tmp_path / "runs").exists()
    from typer.testing import CliRunner

    from anjeon.cli import app

    out = CliRunner().invoke(
        app, ["run", "-s", str(MINI), "-m", "builtin/refuse-all", "--epochs", "0",
              "--runs-dir", str(tmp_path)],
    )  # fmt: skip
    assert out.exit_code == 2 and "--epochs must be at least 1" in out.output


def test_after_a_run_score_report_compare_load(tmp_path: Path) -> None:
    a = anjeon.run([str(MINI)], "builtin/keyword-guard", runs_dir=tmp_path, report=False)
    b = anjeon.run([str(MINI)], "builtin/refuse-all", runs_dir=tmp_path, report=False)
    done = anjeon.score(a.run_dir, ["pii"], runs_dir=None)
    assert set(done) == {"pii"} and (a.run_dir / "record.json").is_file()
    page = anjeon.report(a.run_dir.name, references=[b.run_dir.name], runs_dir=tmp_path)
    assert page == a.run_dir / "report.html" and "builtin/refuse-all" in page.read_text("utf-8")
    data = anjeon.compare(a.run_dir, b.run_dir)
    assert data["comparisons"][0]["matched_cells"] == a.planned
    run = anjeon.load_run(a.run_dir)
    assert run.run_id == a.run_dir.name and run.record.run.id == run.run_id
    rows = list(run.rows())
    assert len(rows) == a.planned
    assert {"item_id", "prompt", "response", "refusal", "pii"} <= set(rows[0])
    assert run.columns() == list(rows[0])
