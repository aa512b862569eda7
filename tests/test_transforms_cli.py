"""``anjeon transforms list`` and ``anjeon transforms apply``."""

from __future__ import annotations

import json
import subprocess
import sys

from typer.testing import CliRunner

from anjeon.cli import app
from anjeon.transforms import transforms

runner = CliRunner()


def test_list_json_has_every_transform_and_the_sets() -> None:
    res = runner.invoke(app, ["transforms", "list", "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert [t["name"] for t in data["transforms"]] == transforms.names()
    jamo = next(t for t in data["transforms"] if t["name"] == "jamo")
    assert jamo["family"] == "ko-script" and jamo["locales"] == ["ko"]
    assert jamo["reversible"] is True and jamo["needs_model"] is False
    assert jamo["params"] == {"scope": "all", "split_clusters": False}
    assert jamo["description"]["ko"].startswith("한글")
    assert "ko-script" in data["sets"] and "all" in data["sets"]


def test_list_by_locale() -> None:
    res = runner.invoke(app, ["transforms", "list", "--locale", "en-US", "--format", "json"])
    names = {t["name"] for t in json.loads(res.stdout)["transforms"]}
    assert "rot13" in names and "base64" in names and "jamo" not in names
    res = runner.invoke(app, ["transforms", "list", "--locale", "ko-KR"])
    assert res.exit_code == 0 and "jamo" in res.stdout and "rot13" not in res.stdout


def test_apply_prints_the_text() -> None:
    res = runner.invoke(app, ["transforms", "apply", "jamo", "안녕"])
    assert res.exit_code == 0 and res.stdout == "ㅇㅏㄴㄴㅕㅇ\n"
    res = runner.invoke(app, ["transforms", "apply", "keyboard", "안녕"])
    assert res.stdout == "dkssud\n"
    res = runner.invoke(app, ["transforms", "apply", "chosung[k=1]", "마약 구매", "--seed", "3"])
    assert res.stdout == "ㅁㅇ 구매\n"


def test_apply_seeded_and_json() -> None:
    args = ["transforms", "apply", "zero-width", "hello", "--format", "json"]
    a = runner.invoke(app, [*args, "--seed", "1"])
    b = runner.invoke(app, [*args, "--seed", "1"])
    c = runner.invoke(app, [*args, "--seed", "2"])
    assert a.stdout == b.stdout != c.stdout
    data = json.loads(a.stdout)
    assert data["transform"] == "zero-width" and data["locale"] == "en-US"


def test_apply_conversation() -> None:
    res = runner.invoke(app, ["transforms", "apply", "many-shot[shots=1]", "질문"])
    assert res.exit_code == 0
    assert res.stdout.splitlines()[-1] == "[user] 질문"


def test_apply_errors_exit_2() -> None:
    for args in (["nope", "x"], ["ko-script", "x"], ["paraphrase", "x"]):
        res = runner.invoke(app, ["transforms", "apply", *args])
        assert res.exit_code != 0
    out = subprocess.run(
        [sys.executable, "-m", "anjeon.cli", "transforms", "apply", "nope", "x"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert out.returncode == 2 and "unknown transform 'nope'" in out.stderr


def test_recovery_numbers() -> None:
    res = runner.invoke(app, ["transforms", "recovery", "-s", "smoke", "--format", "json"])
    assert res.exit_code == 0, res.output
    rows = {(r["transform"], r["lang"]): r for r in json.loads(res.stdout)}
    for name in ("jamo", "fillers", "zero-width", "fullwidth"):
        assert rows[name, "ko"]["exact"] == 100.0
    assert rows["keyboard", "ko"]["exact"] == 0.0
    res = runner.invoke(app, ["transforms", "recovery", "-s", "smoke", "--keyboard", "-f", "json"])
    rows = {(r["transform"], r["lang"]): r for r in json.loads(res.stdout)}
    assert rows["keyboard", "ko"]["exact"] > 80
