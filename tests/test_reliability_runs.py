"""Runs that never lie and never pay twice (issue 11, items 1, 3, 5): one writer per run
directory, honest exit codes and summaries, an early stop on a server that refuses
everything, a gate that fails a run of failed cells, damaged stores named."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from typer.testing import CliRunner

from anjeon import _exitcodes
from anjeon.cli import app
from anjeon.testing import StubConfig, StubServer
from tests.conftest import MINI
from tests.conftest import run_rows as rows


def cli(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    r = CliRunner().invoke(app, list(args), env=env)
    if r.exception and not isinstance(r.exception, SystemExit):
        raise r.exception
    return r.exit_code, r.stdout, r.stderr


def proc(*args: str) -> list[str]:
    return [sys.executable, "-m", "anjeon.cli", *args]


def _wait_running(runs: Path, timeout: float = 30) -> Path:
    """The run directory once its first cells are committed."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        for d in runs.glob("*/run.db") if runs.is_dir() else []:
            try:
                if rows(d.parent, "SELECT count(*) FROM cells")[0][0] > 0:
                    return d.parent
            except sqlite3.OperationalError:
                pass
        time.sleep(0.05)
    raise AssertionError("the run never started")


# -- one writer per run directory ------------------------------------------------------


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_a_second_writer_on_a_live_run_is_refused_and_sends_nothing(tmp_path: Path) -> None:
    """Before: --resume beside a live run exited 0 and asked every pending cell again."""
    runs = tmp_path / "runs"
    with StubServer(StubConfig(latency=0.1, lifetime=110)).in_thread() as stub:
        args = ("run", "-s", str(MINI), "-m", "openai-compatible/stub", "--base-url", stub.url,
                "--epochs", "40", "--max-connections", "4", "--runs-dir", str(runs),
                "-q")  # fmt: skip
        first = subprocess.Popen(proc(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            run_dir = _wait_running(runs)
            before = stub.stats()["requests"]
            # all at once, while the first still has seconds to go
            writers = [
                subprocess.Popen(
                    proc(*a), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
                )
                for a in (
                    ("run", "--resume", str(run_dir), "-q"),
                    args,  # the same command again: it finds the live run
                    ("score", str(run_dir), "--force"),
                    ("report", str(run_dir)),
                )
            ]
            second = [(w.wait(timeout=60), w.communicate()[1]) for w in writers]
            assert first.poll() is None  # still running: the refusals were beside it
            # readers work on the live run
            shown = subprocess.run(proc("runs", "show", str(run_dir)), capture_output=True,
                                   text=True, timeout=60)  # fmt: skip
            text = subprocess.run(proc("report", str(run_dir), "-f", "text"),
                                  capture_output=True, text=True, timeout=60)  # fmt: skip
        finally:
            _, err = first.communicate(timeout=100)
    for code, stderr in second:
        assert code == _exitcodes.LOCKED, stderr
        assert f"pid {first.pid}" in stderr and "in use by another anjeon process" in stderr
    assert shown.returncode == 0 and "running" in shown.stdout
    assert text.returncode == 0, text.stderr
    assert first.returncode == 0, err
    cells = stub.stats()["cells"]
    assert max(cells.values()) == 1  # no cell was asked twice
    assert len(cells) == 21 * 40 and before < 21 * 40


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_two_identical_commands_started_together_run_once(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    with StubServer(StubConfig(latency=0.05, lifetime=110)).in_thread() as stub:
        args = proc("run", "-s", str(MINI), "-m", "openai-compatible/stub", "--base-url",
                    stub.url, "--epochs", "10", "--runs-dir", str(runs), "-q")  # fmt: skip
        ps = [subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
              for _ in range(2)]  # fmt: skip
        codes = sorted(p.wait(timeout=100) for p in ps)
        for p in ps:
            p.communicate()
    assert codes == [0, _exitcodes.LOCKED]
    assert len([d for d in runs.iterdir() if d.is_dir()]) == 1
    assert max(stub.stats()["cells"].values()) == 1


def test_a_lock_left_by_a_dead_process_is_taken_over(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    code, out, _ = cli("run", "-s", str(MINI), "-m", "builtin/refuse-all", "--runs-dir",
                       str(runs), "-q", "--limit", "3", "--no-report")  # fmt: skip
    run_dir = Path(out.strip().splitlines()[-1])
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (run_dir / "lock").write_text(json.dumps({"pid": dead.pid, "started_at": "then"}))
    code, out, err = cli("run", "--resume", str(run_dir), "-q", "--no-report")
    assert code == 0, err
    assert json.loads((run_dir / "lock").read_text())["pid"] == os.getpid()


# -- honest outcomes -------------------------------------------------------------------


@pytest.mark.timeout(120)
def test_a_server_refusing_every_request_stops_early_with_its_message(tmp_path: Path) -> None:
    """Before: exit 0, 'request errors: http 24', no server message, every request sent,
    and ``anjeon check`` passed the run."""
    runs = tmp_path / "runs"
    config = StubConfig(lifetime=60, known_models=("qwen-real", "llama-real"))
    with StubServer(config).in_thread() as stub:
        code, out, err = cli("run", "-s", "core", "-m", "openai-compatible/qwen-typo",
                             "--base-url", stub.url, "--runs-dir", str(runs))  # fmt: skip
        sent = stub.stats()["requests"]
    assert code == _exitcodes.STOPPED, err
    assert sent <= 60  # the first 20, and what was already in flight
    assert "warning: the server does not list model 'qwen-typo'" in err
    assert "The model `qwen-typo` does not exist" in err
    assert "the server offers: qwen-real, llama-real" in err
    run_dir = Path(out.strip().splitlines()[-1])
    assert rows(run_dir, "SELECT count(*) FROM cells WHERE status = 'failed'")[0][0] == 0
    code, out, _ = cli("check", str(run_dir))
    assert code == _exitcodes.CHECK_FAILED and "FAIL  failed" in out


@pytest.mark.timeout(120)
def test_failed_cells_exit_nonzero_name_the_cause_and_gate_the_check(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    cfg = StubConfig(lifetime=60, faults={"escape": 0.5}, seed=1)
    with StubServer(cfg).in_thread() as stub:
        args = ("run", "-s", str(MINI), "-m", "openai-compatible/stub", "--base-url", stub.url,
                "--runs-dir", str(runs), "--epochs", "4")  # fmt: skip
        code, out, err = cli(*args)
        assert code == _exitcodes.FAILED_CELLS, err
        assert "failed cells, by cause (the server's own words):" in err
        assert "http (HTTP 400): HTTP 400:" in err and "bad request" in err
        assert "\x1b" not in err and "\u202e" not in err and "pwned" not in err
        run_dir = Path(out.strip().splitlines()[-1])
        # the gate: half the cells failed
        junit = tmp_path / "check.xml"
        code, out, _ = cli("check", str(run_dir), "--format", "json", "--junit", str(junit))
        data = json.loads(out)
        assert code == _exitcodes.CHECK_FAILED and not data["passed"]
        assert [c["check"] for c in data["checks"] if not c["passed"]] == ["failed", "unscoreable"]
        suite = ET.parse(junit).getroot()
        assert suite.get("failures") == "2" and suite.get("tests") == "2"
        # the same command again says so, and asks nothing
        before = stub.stats()["requests"]
        code, out, err = cli(*args)
        assert "failed earlier and are not asked again; add --retry-failed" in err
        assert stub.stats()["requests"] == before
        # --retry-failed without --resume, against a mended server
        stub._fault_total = 0.0
        code, out, err = cli(*args, "--retry-failed")
    assert code == 0, err
    assert rows(run_dir, "SELECT count(*) FROM cells WHERE status = 'failed'")[0][0] == 0
    # every scorer scored the retried cells afresh: forcing a re-score changes nothing
    labels = rows(run_dir, "SELECT cell_key, scorer, label FROM scores ORDER BY 1, 2")
    code, _, err = cli("score", str(run_dir), "--force")
    assert code == 0, err
    assert rows(run_dir, "SELECT cell_key, scorer, label FROM scores ORDER BY 1, 2") == labels


def test_progress_lines_when_stderr_is_not_a_terminal(tmp_path: Path) -> None:
    from anjeon.cli._run import _Lines

    lines = _Lines()
    lines.EVERY = 0.0
    lines.start(tmp_path, 100, 10)
    lines.update(5, 1, 2)
    # CliRunner's stderr is no terminal; the line format is what logs show
    r = CliRunner().invoke(app, ["run", "-s", "smoke", "-m", "builtin/refuse-all",
                                 "--runs-dir", str(tmp_path / "runs"), "--no-report"])  # fmt: skip
    assert r.exit_code == 0 and "cells to run" in r.stderr


# -- damaged stores --------------------------------------------------------------------


@pytest.mark.parametrize("damage", ["empty", "random", "truncated"])
def test_a_damaged_store_is_named_and_never_reused(tmp_path: Path, damage: str) -> None:
    """Before: tracebacks, a broken ``runs list``, and an empty run.db silently
    restarted the run, after which ``report`` overwrote the good record.json."""
    runs = tmp_path / "runs"
    args = ("run", "-s", str(MINI), "-m", "builtin/refuse-all", "--runs-dir", str(runs), "-q")
    code, out, _ = cli(*args)
    good = Path(out.strip().splitlines()[-1])
    code, out, _ = cli(*args, "--new")
    bad = Path(out.strip().splitlines()[-1])
    record = (bad / "record.json").read_bytes()
    db = bad / "run.db"
    for extra in ("run.db-wal", "run.db-shm"):
        (bad / extra).unlink(missing_ok=True)
    size = db.stat().st_size
    if damage == "empty":
        db.write_bytes(b"")
    elif damage == "random":
        db.write_bytes(os.urandom(size))
    else:
        db.write_bytes(db.read_bytes()[: size // 3])
    commands = (
        ("runs", "show", str(bad)),
        ("report", str(bad)),
        ("run", "--resume", str(bad), "-q"),
        ("score", str(bad)),
        ("check", str(bad), "--rebuild"),
    )
    for command in commands:
        code, out, err = cli(*command)
        if damage == "truncated" and code == 0:
            continue  # sqlite may still read what the cut left; nothing is replaced
        assert code == _exitcodes.INPUT, (command, out, err)
        assert f"{db}: the run's store is damaged" in err, err
    assert (bad / "record.json").read_bytes() == record
    code, out, err = cli("runs", "list", "--runs-dir", str(runs), "--format", "json")
    listed = {r["run_id"]: r["status"] for r in json.loads(out)}
    assert code == 0 and listed[good.name] == "complete"
    if damage != "truncated":
        assert listed[bad.name] == "damaged"
    code, out, err = cli("runs", "list", "--runs-dir", str(runs))
    assert code == 0 and "complete" in out


def test_a_suite_folder_is_recorded_by_absolute_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before: ``--suite folder`` was recorded relative to the current directory, so a
    --resume from elsewhere failed."""
    import shutil

    folder = tmp_path / "mysuite"
    folder.mkdir()
    shutil.copy(MINI, folder / "items.jsonl")
    (folder / "suite.yaml").write_text(
        'id: mysuite\nversion: "1.0"\ntitle: {en: t, ko: t}\ndescription: {en: t, ko: t}\n'
        "license: CC0\nfiles: [items.jsonl]\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    code, out, err = cli("run", "-s", "mysuite", "-m", "builtin/refuse-all", "-q",
                         "--no-report", "--limit", "2")  # fmt: skip
    assert code == 0, err
    run_dir = (tmp_path / out.strip().splitlines()[-1]).resolve()
    import yaml

    cfg = yaml.safe_load((run_dir / "run.yaml").read_text(encoding="utf-8"))
    assert cfg["suites"][0]["ref"] == str(folder.resolve())
    monkeypatch.chdir(Path(__file__).parent)
    code, _, err = cli("run", "--resume", str(run_dir), "-q", "--no-report")
    assert code == 0, err
