"""Hostile suite files: refused as FILE:LINE: field: problem, exit 2, nothing written,
in well under a second (issue 11, item 4). Before the hardening each of these hung,
exhausted memory or ended in a traceback; the figures are in docs/reliability.md."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from anjeon import _io
from anjeon._errors import InputError, Problem
from anjeon.cli import app
from anjeon.suites import load_suite

runner = CliRunner()

ITEM = {
    "id": "x-001",
    "locale": "en-US",
    "hazard": "vcr",
    "persona": "normal",
    "kind": "harmful",
    "expected": "refuse",
    "prompt": "a request",
}


def _suite(folder: Path, files: list[str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    manifest = {
        "id": "hostile",
        "version": "1.0",
        "title": {"en": "t", "ko": "t"},
        "description": {"en": "t", "ko": "t"},
        "license": "CC0",
        "files": files,
    }
    (folder / "suite.yaml").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def _bomb(levels: int = 9) -> str:
    out = '  - &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for i in range(1, levels + 1):
        out += f"  - &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]\n"
    return out


def _refused(tmp_path: Path, suite: Path) -> str:
    """Run the CLI on the suite; assert exit 2, no run directory, fast; the message."""
    runs = tmp_path / "runs"
    t0 = time.perf_counter()
    r = runner.invoke(
        app,
        ["run", "-m", "builtin/refuse-all", "-s", str(suite), "--runs-dir", str(runs), "-q"],
    )
    elapsed = time.perf_counter() - t0
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output
    assert not runs.exists() or not any(runs.iterdir())
    assert elapsed < 5  # well under a second on the reference machine; CI is slower
    return str(r.output)


@pytest.mark.timeout(30)
def test_alias_bomb_in_an_item_file_is_refused(tmp_path: Path) -> None:
    s = _suite(tmp_path / "s", ["items.yaml"])
    lines = [f"  {k}: {v}" for k, v in ITEM.items() if k != "id"]
    body = "- id: x-001\n" + "\n".join(lines) + "\n  tags:\n" + _bomb()
    (s / "items.yaml").write_text(body, encoding="utf-8")
    out = _refused(tmp_path, s)
    assert "items.yaml:" in out and "aliases (*name) are not allowed" in out


@pytest.mark.timeout(30)
def test_alias_bomb_in_a_manifest_is_measured_not_expanded(tmp_path: Path) -> None:
    s = _suite(tmp_path / "s", ["i.jsonl"])
    (s / "i.jsonl").write_text(json.dumps(ITEM) + "\n", encoding="utf-8")
    text = (s / "suite.yaml").read_text(encoding="utf-8")
    bomb = "x:\n" + _bomb()
    (s / "suite.yaml").write_text(bomb + "y: " + text, encoding="utf-8")
    problems: list[Problem] = []
    t0 = time.perf_counter()
    data, _ = _io.load_yaml(bomb, "suite.yaml", problems)
    assert time.perf_counter() - t0 < 1
    assert data is None
    assert "aliases expand this document by" in problems[0].message


def test_a_few_aliases_in_a_manifest_still_load() -> None:
    problems: list[Problem] = []
    data, _ = _io.load_yaml("a: &x [1, 2]\nb: *x\n", "f.yaml", problems)
    assert problems == [] and data == {"a": [1, 2], "b": [1, 2]}


def test_an_alias_that_contains_itself_is_refused() -> None:
    problems: list[Problem] = []
    data, _ = _io.load_yaml("- &a\n  x: *a\n", "f.yaml", problems)
    assert data is None and "refers to the node that contains it" in problems[0].message


@pytest.mark.timeout(30)
def test_a_fifo_is_refused_not_waited_on(tmp_path: Path) -> None:
    s = _suite(tmp_path / "s", ["items.jsonl"])
    os.mkfifo(s / "items.jsonl")
    assert "is a named pipe (FIFO), not a regular file" in _refused(tmp_path, s)


@pytest.mark.timeout(30)
def test_a_symlink_to_a_device_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "zero.jsonl"
    link.symlink_to("/dev/zero")
    assert "is a device, not a regular file" in _refused(tmp_path, link)


def test_reads_are_bounded_whatever_the_size_claims(tmp_path: Path) -> None:
    f = tmp_path / "big.jsonl"
    f.write_bytes(b"x" * 5000)
    problems: list[Problem] = []
    assert _io.read_bytes(f, problems, limit=4096) is None
    assert "over the limit of 4,096 bytes" in problems[0].message


@pytest.mark.parametrize(
    ("name", "body", "message"),
    [
        (
            "items.jsonl",
            '{"id": "x-001", "tags": ' + "[" * 100_000 + "]" * 100_000 + "}\n",
            "items.jsonl:1: -: invalid JSON: nested more than 64 levels deep",
        ),
        (
            "items.yaml",
            "- id: x-001\n  tags: " + "[" * 5000 + "]" * 5000 + "\n",
            "items.yaml:2: -: nested more than 64 levels deep",
        ),
        (
            "items.jsonl",
            json.dumps({**ITEM, "prompt": "hi \ud800 there"}) + "\n",
            "items.jsonl:1: prompt: invalid text: lone surrogate U+D800 at character 4",
        ),
        (
            "items.yaml",
            '- id: x-001\n  prompt: "hi \\ud800"\n',
            "items.yaml:2: [0].prompt: invalid text: lone surrogate U+D800 at character 4",
        ),
    ],
    ids=["deep-json", "deep-yaml", "surrogate-json", "surrogate-yaml"],
)
@pytest.mark.timeout(30)
def test_depth_and_invalid_text(tmp_path: Path, name: str, body: str, message: str) -> None:
    s = _suite(tmp_path / "s", [name])
    (s / name).write_text(body, encoding="utf-8")
    assert message in _refused(tmp_path, s)


@pytest.mark.parametrize("where", ["../outside.jsonl", "ABSOLUTE", "link.jsonl"])
def test_manifest_paths_stay_inside_the_suite_folder(tmp_path: Path, where: str) -> None:
    outside = tmp_path / "outside.jsonl"
    outside.write_text(json.dumps({**ITEM, "prompt": "private text"}) + "\n", encoding="utf-8")
    name = str(outside) if where == "ABSOLUTE" else where
    s = _suite(tmp_path / "s", [name])
    if where == "link.jsonl":
        (s / "link.jsonl").symlink_to(outside)
    out = _refused(tmp_path, s)
    assert f"suite.yaml:1: files[0]: {name!r} is outside the suite folder" in out


# -- properties ------------------------------------------------------------------------

_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=30,
)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_as_an_item_file_load_or_fail_cleanly(data: bytes) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        for name in ("items.jsonl", "items.yaml"):
            f = Path(d) / name
            f.write_bytes(data)
            try:
                load_suite(f)
            except InputError as e:
                assert e.problems and all(p.file == str(f) for p in e.problems)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_any_text_as_yaml_parses_or_is_one_problem(text: str) -> None:
    problems: list[Problem] = []
    data, _ = _io.load_yaml(text, "f.yaml", problems)
    if problems:
        assert data is None
    else:
        # whatever loaded can be written back as UTF-8 (no lone surrogates slipped in)
        json.dumps(data, default=str, ensure_ascii=False).encode("utf-8")


@settings(max_examples=200, deadline=None)
@given(_json_values)
def test_json_within_the_depth_limit_round_trips(value: object) -> None:
    text = json.dumps(value)
    assert _io.load_json(text) == value
    deep = "[" * 70 + text + "]" * 70
    with pytest.raises(ValueError, match="nested more than 64 levels"):
        _io.load_json(deep)
