"""``anjeon classify refusal``: JSONL in, JSONL with "outcome" out; bad lines exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path


def run(*args: str) -> subprocess.CompletedProcess[str]:
    code = "from anjeon.cli import main; main()"
    return subprocess.run(
        [sys.executable, "-c", code, "classify", "refusal", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
    )


def write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


GOOD = [
    json.dumps({"prompt": "p", "response": "I can't help with that.", "extra": 1}),
    json.dumps(
        {"prompt": "q", "response": "그 부분은 안내해 드리기 어렵습니다."}, ensure_ascii=False
    ),
    json.dumps({"prompt": "r", "response": None}),
]


def test_adds_outcome_and_keeps_fields(tmp_path: Path) -> None:
    out = run(str(write(tmp_path, GOOD)))
    assert out.returncode == 0, out.stderr
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["outcome"] for r in rows] == ["refused", "refused", "unscoreable"]
    assert rows[0]["extra"] == 1 and rows[1]["response"].startswith("그 부분은")


def test_malformed_line_exits_2_with_nothing_written(tmp_path: Path) -> None:
    path = write(tmp_path, [GOOD[0], "{not json", json.dumps({"prompt": "x"}), GOOD[1]])
    out = run(str(path))
    assert out.returncode == 2 and out.stdout == ""
    assert f"{path}:2: -: invalid JSON" in out.stderr
    assert f"{path}:3: response: missing" in out.stderr


def test_skip_bad_reports_and_goes_on(tmp_path: Path) -> None:
    path = write(tmp_path, [GOOD[0], json.dumps({"response": 5}), GOOD[1]])
    out = run(str(path), "--skip-bad")
    assert out.returncode == 0
    assert len(out.stdout.splitlines()) == 2
    assert f"{path}:2: response: must be a string or null" in out.stderr


def test_missing_file_exits_2(tmp_path: Path) -> None:
    out = run(str(tmp_path / "nope.jsonl"))
    assert out.returncode == 2 and "cannot read file" in out.stderr
