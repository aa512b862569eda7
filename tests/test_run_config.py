"""run.yaml is validated as a typed RunConfig on load: a hand-edited mistake is a clear
error with file, line and field (exit 2), never a traceback, and nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

import anjeon
from anjeon.cli import app
from anjeon.store import RunConfig, load_config


@pytest.fixture
def run_dir(tmp_path: Path) -> Path:
    r = anjeon.run(suites=["smoke"], model="builtin/refuse-all", runs_dir=tmp_path, report=False)
    return r.run_dir


def test_a_written_config_loads_typed(run_dir: Path) -> None:
    cfg = load_config(run_dir / "run.yaml")
    assert isinstance(cfg, RunConfig)
    assert cfg.target.name == "builtin/refuse-all" and cfg.epochs == 1
    assert [s.id for s in cfg.suites] == ["smoke"]


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("epochs: 1", "epochs: many", "epochs"),
        ("epochs: 1", "epochs: 0", "epochs"),
        ("  max_connections: 32", "  max_connections: -3", "engine.max_connections"),
        ("  timeout: 120.0", "  timeout: soon", "generate.timeout"),
    ],
)
def test_a_bad_hand_edit_names_file_line_and_field(
    run_dir: Path, old: str, new: str, field: str
) -> None:
    path = run_dir / "run.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    line = text.splitlines().index(old) + 1
    before = sorted(p.name for p in run_dir.iterdir())
    result = CliRunner().invoke(app, ["run", "--resume", str(run_dir)])
    assert result.exit_code == 2
    assert f"{path}:{line}: {field}:" in result.output
    assert "Traceback" not in result.output
    assert sorted(p.name for p in run_dir.iterdir()) == before
