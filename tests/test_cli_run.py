"""``anjeon run`` / ``anjeon runs`` end to end: the offline default, bad input (exit 2,
nothing written), a 401 early stop, and no trace of an API key anywhere."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from anjeon.cli import app
from anjeon.testing import StubConfig, StubServer
from tests.conftest import MINI

BAD = Path(__file__).parent / "fixtures" / "run" / "bad.jsonl"


def cli(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    r = CliRunner().invoke(app, list(args), env=env)
    if r.exception and not isinstance(r.exception, SystemExit):
        raise r.exception
    return r.exit_code, r.stdout, r.stderr


def show(run_dir: str) -> dict[str, object]:
    code, out, _ = cli("runs", "show", run_dir, "--format", "json")
    assert code == 0
    data: dict[str, object] = json.loads(out)
    return data


def test_offline_default_runs_and_reruns_nothing(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    args = (
        "run",
        "--suite",
        "smoke",
        "--model",
        "builtin/keyword-guard",
        "--runs-dir",
        str(runs),
        "--quiet",
    )
    code, out, _ = cli(*args)
    assert code == 0
    run_dir = out.strip().splitlines()[-1]  # the last line names the run directory
    assert Path(run_dir).parent == runs and (Path(run_dir) / "run.db").is_file()
    info = show(run_dir)
    assert info["planned"] == info["answered"] and info["failed"] == 0
    assert info["status"] == "complete" and info["model"] == "builtin/keyword-guard"
    # the same command again resumes the same (finished) run: nothing is repeated
    code, out2, err2 = cli(*args)
    assert code == 0 and out2.strip().splitlines()[-1] == run_dir
    assert "0 of" in err2 and show(run_dir)["requests"] == info["requests"]
    code, listing, _ = cli("runs", "list", "--runs-dir", str(runs), "--format", "json")
    assert [r["path"] for r in json.loads(listing)] == [run_dir]
    # --new asks for a fresh run
    code, out3, _ = cli(*args, "--new")
    assert code == 0 and out3.strip().splitlines()[-1] != run_dir


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (("--suite", str(MINI), "--model", "nope/x"), "unknown provider 'nope'"),
        (("--suite", str(MINI), "--model", "openai/gpt-4o"), "OPENAI_API_KEY"),
        (
            ("--suite", str(MINI), "--model", "vllm/m", "--base-url", "http://127.0.0.1:9/v1"),
            "cannot reach",
        ),
        (("--suite", str(BAD), "--model", "builtin/comply-all"), "bad.jsonl:2: persona"),
        (("--suite", "no-such-suite", "--model", "builtin/comply-all"), "unknown suite"),
        (("--model", "builtin/comply-all"), "missing --suite"),
        (("--resume", "NOTARUN"), "not a run directory"),
        (("--resume", "runs/x", "--model", "builtin/comply-all"), "conflicts with --model"),
        (
            ("--suite", str(MINI), "--suite", str(MINI), "--model", "builtin/comply-all"),
            "given more than once",
        ),
        (("--suite", str(MINI), "--model", "builtin/comply-all", "--epochs", "0"), "--epochs"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], needle: str
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "NOTARUN").mkdir()
    runs = tmp_path / "runs"
    code, out, err = cli("run", *args, "--runs-dir", str(runs), "--quiet")
    assert code == 2, (out, err)
    assert needle in err and err.startswith("error: ")
    assert not runs.exists()


def test_401_stops_early_with_a_clear_message_and_resumes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runs = tmp_path / "runs"
    with StubServer(StubConfig(require_key="good", lifetime=60)).in_thread() as stub:
        base = (
            "--suite",
            str(MINI),
            "--model",
            "openai-compatible/stub",
            "--base-url",
            stub.url,
            "--runs-dir",
            str(runs),
            "--quiet",
            "--epochs",
            "5",
        )
        code, out, err = cli("run", *base, env={"OPENAI_API_KEY": "bad"})
        assert code == 3
        assert "stopped early: HTTP 401" in err and "--resume" in err
        run_dir = out.strip().splitlines()[-1]
        info = show(run_dir)
        assert info["status"] == "stopped" and info["answered"] == 0
        assert info["pending"] == 105 and int(str(info["requests"])) <= 64
        code, out, err = cli("run", "--resume", run_dir, "--quiet", env={"OPENAI_API_KEY": "good"})
        assert code == 0, err
        assert show(run_dir)["answered"] == 105


def test_no_trace_of_the_api_key_anywhere(tmp_path: Path) -> None:
    key = "sk-anjeon-SECRET-0123456789abcdef"
    runs = tmp_path / "runs"
    # a leaky server: it echoes the credentials it received in its error bodies
    cfg = StubConfig(
        require_key=key,
        echo_auth=True,
        faults={"400": 0.3, "500": 0.2},
        retry_after=0.01,
        lifetime=60,
    )
    with StubServer(cfg).in_thread() as stub:
        code, out, err = cli(
            "run",
            "--suite",
            str(MINI),
            "--model",
            "openai-compatible/stub",
            "--base-url",
            stub.url,
            "--runs-dir",
            str(runs),
            "--epochs",
            "4",
            "--api-key-env",
            "MY_SECRET_KEY",
            "--backoff",
            "0.01",
            env={"MY_SECRET_KEY": key},
        )
    assert code == 4, err  # finished with failed cells (anjeon._exitcodes.FAILED_CELLS)
    run_dir = Path(out.strip().splitlines()[-1])
    info = show(str(run_dir))
    assert info["failed"] and info["errors_by_kind"]  # the leaky errors did happen
    files = [p for p in run_dir.rglob("*") if p.is_file()]
    assert {"run.db", "run.yaml"} <= {p.name for p in files}
    for p in files:
        assert key.encode() not in p.read_bytes(), p
    assert key not in out and key not in err
    assert "MY_SECRET_KEY" in (run_dir / "run.yaml").read_text()  # the name, not the value
    import sqlite3

    con = sqlite3.connect(run_dir / "run.db")
    msgs = [m for (m,) in con.execute("SELECT message FROM errors WHERE kind = 'http'")]
    con.close()
    assert msgs and all("[REDACTED]" in m for m in msgs)
