"""A run killed with SIGKILL and resumed repeats no finished request and ends with the
same answers as an uninterrupted run (subprocess test; the stub counts requests)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from anjeon.testing import StubConfig, StubServer
from tests.conftest import MINI, run_rows


def answers(run_dir: Path) -> dict[str, str]:
    return dict(run_rows(run_dir, "SELECT cell_key, text FROM responses"))


def committed(run_dir: Path) -> set[str]:
    return {k for (k,) in run_rows(run_dir, "SELECT key FROM cells", missing_ok=True)}


@pytest.mark.slow
@pytest.mark.timeout(120)
def test_sigkill_then_resume_repeats_no_finished_request(tmp_path: Path) -> None:
    with StubServer(StubConfig(latency=0.02, lifetime=110)).in_thread() as stub:
        runs = tmp_path / "runs"
        cmd = [
            sys.executable,
            "-m",
            "anjeon.cli",
            "run",
            "--suite",
            str(MINI),
            "--model",
            "openai-compatible/stub",
            "--base-url",
            stub.url,
            "--epochs",
            "40",
            "--max-connections",
            "4",
            "--runs-dir",
            str(runs),
            "--quiet",
        ]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        run_dir: Path | None = None
        while time.monotonic() < deadline:
            dirs = list(runs.glob("*/run.db")) if runs.exists() else []
            if dirs and len(committed(dirs[0].parent)) >= 150:
                run_dir = dirs[0].parent
                break
            time.sleep(0.02)
        assert run_dir is not None, "the run never got going"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        assert proc.returncode == -signal.SIGKILL

        time.sleep(0.3)  # let the server finish the dead client's in-flight requests
        finished = committed(run_dir)
        before = dict(stub.cells)
        assert 150 <= len(finished) < 840, "killed too late to prove anything"

        # the same command resumes the same run
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=90)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip().splitlines()[-1] == str(run_dir)
        assert f"resuming {run_dir}: {840 - len(finished)} of 840" in done.stderr
        after = dict(stub.cells)
        repeated = [k for k in finished if after[k] != before[k]]
        assert repeated == []  # no finished request was sent again
        resumed = answers(run_dir)
        assert len(resumed) == 840

        # an uninterrupted run of the same config gives the very same answers
        fresh = subprocess.run(
            [*cmd, "--new", "--max-connections", "16"], capture_output=True, text=True, timeout=90
        )
        assert fresh.returncode == 0, fresh.stderr
        fresh_dir = Path(fresh.stdout.strip().splitlines()[-1])
        assert fresh_dir != run_dir
        assert answers(fresh_dir) == resumed
