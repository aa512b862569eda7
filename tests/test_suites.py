"""Suite loading: every problem reported as FILE:LINE: field: problem, exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from anjeon import _io
from anjeon._errors import InputError
from anjeon.cli import app
from anjeon.suites import builtin_suite_ids, content_hash, load_suite, resolve_suite

from .conftest import FIXTURES

BAD = FIXTURES / "bad_suites"
GOOD = FIXTURES / "good_suites"
runner = CliRunner()


PERSONA_MSG = "input should be 'normal', 'unskilled', 'skilled' or 'vulnerable'"
# fixture -> the exact problems (line, field, message), in file order
CASES: dict[str, list[tuple[int | None, str, str]]] = {
    "bad_json.jsonl": [
        (2, "-", "invalid JSON: Expecting property name enclosed in double quotes (column 32)")
    ],
    "missing_field.jsonl": [(2, "persona", "missing required field")],
    "unknown_field.jsonl": [(1, "severity", "unknown field")],
    "duplicate_id.jsonl": [(3, "id", f"duplicate id 'x1' (first at {BAD}/duplicate_id.jsonl:1)")],
    "unknown_hazard.jsonl": [(1, "hazard", "unknown hazard 'xyz'")],
    "unknown_persona.jsonl": [(1, "persona", PERSONA_MSG)],
    "hazard_wrong_locale.jsonl": [
        (1, "hazard", "hazard 'prv.kr.rrn' is not valid for locale en-US")
    ],
    "empty_prompt.jsonl": [(1, "prompt", "empty prompt")],
    "invalid_utf8.jsonl": [(2, "-", "invalid UTF-8 (column 28)")],
    "pair_disagree.jsonl": [
        (
            2,
            "hazard",
            f"pair 'p1' disagrees on hazard: 'ncr' here, 'vcr' at {BAD}/pair_disagree.jsonl:1",
        ),
    ],
    "pair_same_locale.jsonl": [(2, "pair_id", "pair 'p1' already has an item in en-US")],
    "not_object.jsonl": [(2, "-", "an item must be an object")],
    "bad_locale.jsonl": [(1, "locale", "string should match pattern '^[a-z]{2,3}-[A-Z]{2}$'")],
    "bias_missing_choices.jsonl": [(1, "-", "a bias_qa item needs choices, answer and bias")],
    "last_turn_not_user.jsonl": [(1, "prompt", "the last message must have role 'user'")],
    "many_problems.jsonl": [
        (1, "persona", "missing required field"),
        (2, "-", "invalid JSON: Expecting value (column 1)"),
        (3, "hazard", "unknown hazard 'nope'"),
        (4, "prompt", "empty prompt"),
    ],
    "bad_yaml.yaml": [(4, "-", "invalid YAML: expected ',' or ']', but got '<stream end>'")],
    "yaml_missing_field.yaml": [
        (8, "persona", "missing required field"),
        (21, "severity", "unknown field"),
    ],
}


def _problems(path: Path) -> list[tuple[int | None, str, str]]:
    with pytest.raises(InputError) as exc:
        load_suite(path)
    for p in exc.value.problems:
        assert p.file.startswith(str(BAD))
    return [(p.line, p.field or "-", p.message) for p in exc.value.problems]


@pytest.mark.parametrize("name", sorted(CASES))
def test_malformed_suite_reports_exact_problem(name: str) -> None:
    assert _problems(BAD / name) == CASES[name]


def test_at_least_fifteen_malformed_fixtures() -> None:
    assert len(CASES) >= 15


def test_manifest_naming_a_missing_file() -> None:
    with pytest.raises(InputError) as exc:
        load_suite(BAD / "bad_manifest")
    msgs = [str(p) for p in exc.value.problems]
    assert msgs == [f"{BAD}/bad_manifest/suite.yaml:1: license: missing required field"]


def test_manifest_missing_item_file() -> None:
    manifest = BAD / "bad_manifest" / "suite.yaml"
    text = manifest.read_text(encoding="utf-8")
    assert "missing.jsonl" in text


def test_oversize_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_io, "MAX_FILE_BYTES", 100)
    with pytest.raises(InputError) as exc:
        load_suite(BAD / "many_problems.jsonl")
    (p,) = exc.value.problems
    assert p.line is None and "over the limit of 100" in p.message


def test_bom_is_accepted() -> None:
    s = load_suite(GOOD / "bom.jsonl")
    assert [i.id for i in s.items] == ["x1", "x2"]
    assert s.id == "bom"


def test_folder_suite_with_jsonl_and_yaml() -> None:
    s = load_suite(GOOD / "mine")
    assert s.id == "mine" and s.version == "1.0"
    assert [i.hazard for i in s.items] == ["prv", "prv.kr.rrn"]


def test_content_hash_is_order_independent_and_sensitive() -> None:
    items = list(load_suite(GOOD / "mine").items)
    assert content_hash(items) == content_hash(items[::-1])
    changed = [items[0].model_copy(update={"prompt": "something else"}), items[1]]
    assert content_hash(changed) != content_hash(items)


def test_builtin_smoke_suite() -> None:
    assert "smoke" in builtin_suite_ids()
    s = resolve_suite("smoke")
    assert len(s.items) == 24
    pairs: dict[str, set[str]] = {}
    for i in s.items:
        assert i.pair_id is not None
        pairs.setdefault(i.pair_id, set()).add(i.locale)
    assert all(v == {"en-US", "ko-KR"} for v in pairs.values())
    assert {i.kind for i in s.items} >= {"harmful", "benign"}


@pytest.mark.parametrize("suite_id", builtin_suite_ids())
def test_every_builtin_suite_loads(suite_id: str) -> None:
    s = resolve_suite(suite_id)
    assert s.items and len(s.sha256) == 64


def test_unknown_suite_reference() -> None:
    with pytest.raises(InputError, match="unknown suite 'nope'"):
        resolve_suite("nope")


def test_cli_validate_broken_file_prints_every_problem() -> None:
    res = runner.invoke(app, ["suites", "validate", str(BAD / "many_problems.jsonl")])
    assert res.exit_code == 2
    lines = res.stderr.strip().splitlines()
    assert lines[:4] == [
        f"error: {BAD}/many_problems.jsonl:{ln}: {f}: {m}"
        for ln, f, m in CASES["many_problems.jsonl"]
    ]
    assert lines[4] == "4 problems; nothing was written."
    assert res.stdout == ""


def test_cli_validate_good_and_json() -> None:
    res = runner.invoke(app, ["suites", "validate", str(GOOD / "mine"), "--format", "json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["valid"] is True


def test_cli_suites_list_and_stats_json() -> None:
    res = runner.invoke(app, ["suites", "list", "--format", "json"])
    assert res.exit_code == 0, res.output
    assert "smoke" in {s["id"] for s in json.loads(res.stdout)}
    res = runner.invoke(app, ["suites", "stats", "smoke", "--format", "json"])
    st = json.loads(res.stdout)
    assert st["n_items"] == 24 and st["pairs"] == 12
    assert sum(c["n"] for c in st["cells"]) == 24
    assert st["by_locale"] == {"en-US": 12, "ko-KR": 12}


def test_cli_version() -> None:
    res = runner.invoke(app, ["--version"])
    assert res.exit_code == 0 and res.stdout.startswith("anjeon ")


def test_loaded_items_share_their_fields_set_safely() -> None:
    """The loader shares one fields-set among items that give the same fields (memory);
    copying with an update or assigning must never change another item's."""
    items = resolve_suite("smoke").items
    a, b = items[0], items[1]
    assert a.model_fields_set is b.model_fields_set
    before = set(b.model_fields_set)
    c = a.model_copy(update={"notes": "changed"})
    assert "notes" in c.model_fields_set and b.model_fields_set == before
    with pytest.raises(ValueError):
        a.notes = "x"  # type: ignore[misc]
    assert b.model_fields_set == before
