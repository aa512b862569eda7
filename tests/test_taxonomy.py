from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from anjeon._errors import InputError
from anjeon.cli import app
from anjeon.taxonomy import taxonomy
from anjeon.taxonomy._load import check_taxonomy
from anjeon.taxonomy._render import crosswalk_rows

UNIVERSAL = [
    "vcr",
    "src",
    "cse",
    "ssh",
    "iwp",
    "ncr",
    "dfm",
    "hte",
    "prv",
    "ipv",
    "spc",
    "sxc",
    "elc",
]
LLAMAGUARD = {
    "vcr": "S1", "ncr": "S2", "src": "S3", "cse": "S4", "dfm": "S5", "spc": "S6", "prv": "S7",
    "ipv": "S8", "iwp": "S9", "hte": "S10", "ssh": "S11", "sxc": "S12", "elc": "S13",
}  # fmt: skip

runner = CliRunner()


def test_universal_hazards_and_groups() -> None:
    tax = taxonomy()
    assert [h.code for h in tax.hazards] == UNIVERSAL
    groups = {h.code: h.group for h in tax.hazards}
    assert {c for c, g in groups.items() if g == "physical"} == {"vcr", "src", "cse", "ssh", "iwp"}
    assert {c for c, g in groups.items() if g == "contextual"} == {"spc", "sxc", "elc"}


def test_crosswalk_values_are_valid() -> None:
    tax = taxonomy()
    assert check_taxonomy(tax) == []
    for h in tax.hazards:
        assert h.crosswalk.llamaguard == LLAMAGUARD[h.code]
        assert h.crosswalk.ailuminate == (None if h.code == "elc" else h.code)
        assert set(h.crosswalk.air2024) <= set(tax.air2024_level2)
    assert len(tax.air2024_level2) == 16


def test_bilingual_text_everywhere() -> None:
    tax = taxonomy()
    texts = [t for h in tax.hazards for t in (h.name, h.definition)]
    texts += [t for s in tax.subhazards() for t in (s.name, s.definition, s.expected)]
    texts += [t for p in tax.personas for t in (p.name, p.definition)]
    for t in texts:
        assert t.en.strip() and t.ko.strip()
        assert any("\uac00" <= ch <= "\ud7a3" for ch in t.ko), t.ko


def test_ko_extension_size_and_references() -> None:
    subs = taxonomy().subhazards("ko-KR")
    assert len(subs) >= 25
    assert all(s.code.split(".")[1] == "kr" for s in subs)
    with_law = [s for s in subs if any(r.law for r in s.references)]
    assert len(with_law) >= 20
    for code in ("prv.kr.rrn", "src.kr.deepfake", "elc.kr.deepfake", "dfm.kr.truthful"):
        assert code in {s.code for s in with_law}


def test_personas() -> None:
    assert taxonomy().persona_codes() == ["normal", "unskilled", "skilled", "vulnerable"]


@pytest.mark.parametrize("to", ["llamaguard", "ailuminate", "air2024"])
def test_crosswalk_rows_inherit_parent(to: str) -> None:
    rows = crosswalk_rows(taxonomy(), to, "ko-KR")  # type: ignore[arg-type]
    by_code = {r["code"]: r for r in rows}
    assert by_code["prv.kr.rrn"][to] == by_code["prv"][to]


def test_cli_show_json_ko() -> None:
    res = runner.invoke(app, ["taxonomy", "show", "--locale", "ko-KR", "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert list(data) == ["version", "hazards", "personas", "subhazards"]
    assert len(data["hazards"]) == 13 and len(data["subhazards"]) >= 25
    assert {s["locale"] for s in data["subhazards"]} == {"ko-KR"}


def test_cli_crosswalk_json() -> None:
    res = runner.invoke(app, ["taxonomy", "crosswalk", "--to", "llamaguard", "--format", "json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert {r["code"]: r["llamaguard"] for r in rows}["elc"] == ["S13"]


def test_cli_unknown_locale_is_input_error() -> None:
    res = runner.invoke(app, ["taxonomy", "show", "--locale", "xx-YY"])
    assert res.exit_code != 0


def test_check_taxonomy_catches_cross_file_errors() -> None:
    tax = taxonomy()
    sub = tax.subhazards("ko-KR")[0]
    bad_ref = sub.references[0].model_copy(update={"law": None, "note": None})
    bad_sub = sub.model_copy(update={"parent": "zzz", "references": [bad_ref]})
    ext = tax.locales["ko-KR"].model_copy(update={"subhazards": [bad_sub, bad_sub]})
    hz = tax.hazards[0]
    bad_hz = hz.model_copy(
        update={"crosswalk": hz.crosswalk.model_copy(update={"air2024": ["Not A Category"]})}
    )
    broken = tax.model_copy(
        update={
            "hazards": [bad_hz, *tax.hazards],
            "personas": [*tax.personas, tax.personas[0]],
            "locales": {"ko-KR": ext},
        }
    )
    msgs = sorted(p.message for p in check_taxonomy(broken))
    assert f"duplicate hazard code {hz.code!r}" in msgs
    assert "duplicate 'normal'" in msgs
    assert f"duplicate sub-hazard {sub.code!r}" in msgs
    assert "'Not A Category' is not an AIR 2024 level-2 category" in msgs
    assert "does not match the code" in msgs and "not a universal hazard" in msgs
    assert "a reference needs a law or a note" in msgs


def test_fast_load_of_the_shipped_files_equals_the_validating_load(tmp_path: Path) -> None:
    """``taxonomy()`` reads the shipped files through libyaml; what it builds must be
    exactly what the line-tracking loader builds, and a damaged copy falls back to it."""
    from anjeon.taxonomy._load import DATA, _load_shipped_fast, load_taxonomy

    fast = _load_shipped_fast()
    if fast is None:
        pytest.skip("PyYAML was built without libyaml")
    assert fast == load_taxonomy()
    bad = tmp_path / "data"
    shutil.copytree(DATA, bad)
    uni = bad / "universal.yaml"
    uni.write_text(uni.read_text(encoding="utf-8") + "\nextra_field: 1\n", encoding="utf-8")
    assert _load_shipped_fast(bad) is None
    with pytest.raises(InputError, match="extra_field"):
        load_taxonomy(bad)
