"""anjeon run --config FILE: an assessment definition in a file, flags override it."""

from __future__ import annotations

from pathlib import Path

import yaml
from typer.testing import CliRunner

import anjeon
from anjeon.cli import app
from tests.conftest import MINI


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_the_file_defines_the_run_and_flags_override(tmp_path: Path) -> None:
    (tmp_path / "suites").mkdir()
    (tmp_path / "suites" / "mini.jsonl").write_bytes(MINI.read_bytes())
    cfg = _write(tmp_path / "assessment.yaml", (
        "# our quarterly assessment\n"
        "suites: [suites/mini.jsonl]   # relative to this file\n"
        "model: builtin/refuse-all\n"
        "epochs: 2\n"
        "limit: 5\n"
        "report: false\n"
    ))  # fmt: skip
    runs = tmp_path / "runs"
    res = CliRunner().invoke(
        app, ["run", "--config", str(cfg), "--epochs", "1", "--runs-dir", str(runs), "-q"]
    )
    assert res.exit_code == 0, res.output
    run_dir = Path(res.stdout.strip().splitlines()[-1])
    written = yaml.safe_load((run_dir / "run.yaml").read_text(encoding="utf-8"))
    assert written["epochs"] == 1 and written["limit"] == 5  # the flag won, the file gave 5
    assert written["target"]["name"] == "builtin/refuse-all"
    assert not (run_dir / "record.json").exists()  # report: false
    # the library takes the same file
    r = anjeon.run(config=cfg, epochs=1, runs_dir=runs)
    assert r.run_dir == run_dir and r.requests == 0 and r.record is None


def test_a_bad_file_is_file_line_field_and_nothing_is_written(tmp_path: Path) -> None:
    cfg = _write(tmp_path / "assessment.yaml", (
        f"suites: [{MINI}]\n"
        "model: builtin/refuse-all\n"
        "epochs: 0\n"
        "temprature: 0.2\n"
    ))  # fmt: skip
    runs = tmp_path / "runs"
    res = CliRunner().invoke(app, ["run", "--config", str(cfg), "--runs-dir", str(runs)])
    assert res.exit_code == 2
    assert f"{cfg}:3: epochs: " in res.output and "greater than or equal to 1" in res.output
    assert f"{cfg}:4: temprature: unknown field" in res.output
    assert not runs.exists()
    res = CliRunner().invoke(app, ["run", "--config", str(tmp_path / "missing.yaml")])
    assert res.exit_code == 2 and "missing.yaml" in res.output


def test_a_setting_is_defined_once_for_the_cli_the_file_and_python() -> None:
    """The CLI's ``run`` passes its options on to ``anjeon.run`` by name (no restated
    keywords), so every option must be a parameter of it; an assessment file takes every
    setting except those of one session (resume, callbacks)."""
    import inspect

    from anjeon._assessment import Assessment
    from anjeon.cli._common import as_params
    from anjeon.cli._run import run as run_command

    params = set(inspect.signature(anjeon.run_async).parameters)
    options = set(as_params(dict.fromkeys(inspect.signature(run_command).parameters), "quiet"))
    assert params - options == {"on_start", "on_progress", "handle_signals"}
    assert options <= params
    per_session = {"resume", "new", "retry_failed", "config"}
    assert params - set(Assessment.model_fields) == per_session | (params - options)
