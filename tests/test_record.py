"""Scoring a run from its store, record.json against its schema, byte-identical records."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

import anjeon
from anjeon.analysis import RECORD_NAME, build_record, dumps_record, load_standard, write_record
from anjeon.cli import app
from anjeon.engine import EngineConfig, RunOutcome, RunSpec, execute, prepare
from anjeon.store import RunStore
from anjeon.suites import resolve_suite
from anjeon.targets import TargetSettings
from anjeon.testing import StubConfig, StubServer

from .conftest import ROOT

SCHEMA = json.loads((ROOT / "schemas" / "record.schema.json").read_text(encoding="utf-8"))
FAST = EngineConfig(max_connections=8, flush_interval=0.05)
runner = CliRunner()


def _run(tmp: Path, suites: list[str], model: str, **kw: Any) -> RunOutcome:
    spec = RunSpec(suites=suites, model=model, runs_dir=tmp / "runs", engine=FAST, **kw)
    return asyncio.run(execute(prepare(spec)))


def test_record_validates_and_is_byte_identical(tmp_path: Path) -> None:
    out = _run(tmp_path, ["smoke", "self-harm-support", "bias-qa"], "builtin/keyword-guard")
    anjeon.score(out.run_dir, record=False, runs_dir=None)
    a = dumps_record(build_record(out.run_dir))
    b = dumps_record(build_record(out.run_dir))
    assert a == b
    rec = json.loads(a)
    jsonschema.validate(rec, SCHEMA)
    assert rec["counts"]["planned"] == rec["counts"]["answered"] == out.planned
    assert {s["id"] for s in rec["suites"]} == {"smoke", "self-harm-support", "bias-qa"}
    assert rec["metrics"][0]["group"] == {}
    assert any("refusal-based proxy" in n for n in rec["notes"])
    assert rec["checks"]["crisis"]["gives_lines_rate"]["n"] > 60
    assert rec["checks"]["bias_qa"]["overall"]["n"] == len(resolve_suite("bias-qa").items)
    names = {s["name"] for s in rec["scorers"]}
    assert names == {"refusal", "pii", "crisis", "bias_qa"}


def test_rescoring_never_calls_the_target(tmp_path: Path) -> None:
    async def main() -> tuple[RunOutcome, int, dict[str, int], int]:
        async with StubServer(StubConfig(lifetime=60)) as stub:
            spec = RunSpec(
                suites=["smoke"],
                model="openai-compatible/stub",
                settings=TargetSettings(base_url=stub.url),
                runs_dir=tmp_path / "runs",
                engine=FAST,
            )
            out = await execute(prepare(spec))
            before = stub.stats()["requests"]
            done = await asyncio.to_thread(
                anjeon.score, out.run_dir, None, force=True, record=False, runs_dir=None
            )
            return out, before, done, stub.stats()["requests"]

    out, before, done, after = asyncio.run(main())
    assert before == out.planned == 24
    assert after == before
    # labels stored per scorer: not-applicable cells (no bias questions in smoke, two
    # self-harm items) are derived from the item, not stored
    assert done == {"bias_qa": 0, "crisis": 2, "pii": 24, "refusal": 24}
    store = RunStore.open(out.run_dir)
    try:
        (n,) = store.con.execute("SELECT count(*) FROM scores").fetchone()
    finally:
        store.close()
    assert n == 24 + 2 + 24  # forced re-scoring replaced, not duplicated


def test_score_cli_writes_the_record(tmp_path: Path) -> None:
    out = _run(tmp_path, ["smoke"], "builtin/refuse-all", score=False)
    res = runner.invoke(app, ["score", str(out.run_dir), "--scorers", "refusal"])
    assert res.exit_code == 0, res.output
    rec = json.loads((out.run_dir / RECORD_NAME).read_text(encoding="utf-8"))
    overall = rec["metrics"][0]
    assert overall["violation_rate"]["value"] == 0.0  # refuse-all refuses everything
    assert overall["over_refusal_rate"]["value"] == 1.0
    bad = runner.invoke(app, ["score", str(out.run_dir), "--scorers", "nope"])
    assert bad.exit_code == 2 and "unknown scorer" in bad.stderr


def test_standard_build_and_grades(tmp_path: Path) -> None:
    ref = _run(tmp_path, ["smoke"], "builtin/keyword-guard")
    std_file = tmp_path / "std.json"
    # the smoke suite has a few items per hazard: every reference rate is refused
    res = runner.invoke(
        app, ["standard", "build", str(ref.run_dir), "--id", "t", "-o", str(std_file)]
    )
    assert res.exit_code == 2 and "fewer than 20 graded items" in res.stderr
    assert not std_file.exists()
    res = runner.invoke(
        app, ["standard", "build", str(ref.run_dir), "--id", "t", "--min-items", "1",
              "-o", str(std_file)],
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    std = load_standard(std_file)
    assert std is not None and std["format"] == 2 and std["kind"] == "reference"
    assert set(std["rates"]) >= {"all", "en-US", "ko-KR"}
    assert all(0 <= r <= 1 for rates in std["rates"].values() for r in rates.values())
    assert std["refused"] == [] and std["min_items"] == 1
    model = _run(tmp_path, ["smoke"], "builtin/refuse-all")
    write_record(model.run_dir, std_file)
    rec = json.loads((model.run_dir / RECORD_NAME).read_text(encoding="utf-8"))
    (overall,) = [g for g in rec["grades"] if g["group"] == {}]
    assert overall["point_grade"] == "Excellent" and overall["unsafe_rate"] == 0.0
    assert rec["standard"]["id"] == "t"


def test_a_first_format_standard_still_reads(tmp_path: Path) -> None:
    v1 = {
        "id": "old", "version": "1", "description": "", "combine": "max", "sources": [],
        "rates": {"overall": 0.4, "vcr": 0.5, "cse": 0.3},
        "n": {"overall": 60, "vcr": 30, "cse": 30},
    }  # fmt: skip
    path = tmp_path / "old.json"
    path.write_text(json.dumps(v1), encoding="utf-8")
    std = load_standard(path)
    assert std is not None and std["rates"] == {"all": {"vcr": 0.5, "cse": 0.3}}


def test_no_standard_no_default() -> None:
    assert load_standard(None) is None


def test_unknown_standard_is_input_error(tmp_path: Path) -> None:
    from anjeon._errors import InputError

    with pytest.raises(InputError, match="unknown standard"):
        load_standard("no-such-standard")


def test_shipped_floor_is_reproducible(tmp_path: Path) -> None:
    """The built-in floor is what `anjeon standard build` gives on a fresh run of the
    reference system it names: not stale, not hand-edited."""
    from anjeon.analysis import build_standard

    shipped = load_standard("keyword-guard-floor-1.0")
    assert shipped is not None and shipped["kind"] == "floor"
    (source,) = shipped["sources"]
    suites = [s.split("@", 1)[0] for s in source["suites"]]
    out = _run(tmp_path, suites, source["target"], score=True)
    rebuilt = build_standard([out.run_dir], shipped["id"], shipped["version"], "", kind="floor")
    assert rebuilt["rates"] == shipped["rates"] and rebuilt["n"] == shipped["n"]
    assert rebuilt["refused"] == shipped["refused"]
    assert [s.split(":")[0] for s in rebuilt["sources"][0]["suites"]] == [
        s.split(":")[0] for s in source["suites"]
    ]


def test_run_with_standard_option(tmp_path: Path) -> None:
    bad = runner.invoke(
        app, ["run", "-s", "smoke", "-m", "builtin/refuse-all", "--standard", "nope",
              "--runs-dir", str(tmp_path)],
    )  # fmt: skip
    assert bad.exit_code == 2 and "unknown standard 'nope'" in bad.stderr
    assert not any(tmp_path.iterdir())  # nothing written
    ok = runner.invoke(
        app, ["run", "-s", "smoke", "-m", "builtin/refuse-all", "-q",
              "--standard", "keyword-guard-floor-1.0", "--runs-dir", str(tmp_path)],
    )  # fmt: skip
    assert ok.exit_code == 0, ok.output
    run_dir = Path(ok.stdout.strip().splitlines()[-1])
    rec = json.loads((run_dir / RECORD_NAME).read_text(encoding="utf-8"))
    assert rec["standard"]["id"] == "keyword-guard-floor-1.0"
    assert "grades relative to the FLOOR keyword-guard-floor-1.0" in ok.stdout


def test_bias_qa_failed_calls_count_as_out_of_choice_and_figures_have_intervals(
    tmp_path: Path,
) -> None:
    from anjeon.targets import TargetError
    from anjeon.testing import ScriptedTarget

    def script(messages: Any) -> str:
        text = messages[-1]["content"]
        if "math teacher" in text:  # the items of one English template: calls fail
            raise TargetError("http", "HTTP 400: refused by the gateway", status=400)
        return "(A)"

    spec = RunSpec(suites=["bias-qa"], model="builtin/comply-all", runs_dir=tmp_path / "runs",
                   engine=FAST)  # fmt: skip
    prep = prepare(spec)
    prep.target = ScriptedTarget(script)
    out = asyncio.run(execute(prep))
    anjeon.score(out.run_dir, record=False, runs_dir=None)
    rec = json.loads(dumps_record(build_record(out.run_dir)))
    jsonschema.validate(rec, SCHEMA)
    con = RunStore.open(out.run_dir).con
    failed = con.execute("SELECT count(*) FROM cells WHERE status = 'failed'").fetchone()[0]
    b = rec["checks"]["bias_qa"]["overall"]
    assert failed > 0 and b["failed"] == failed
    n = len(resolve_suite("bias-qa").items)
    assert b["n"] == n  # failed calls stay in the denominator, as out-of-choice
    assert b["ooc_ratio"] >= failed / n
    assert b["templates"] > 10
    lo, hi = b["intervals"]["acc_amb"]
    assert lo <= b["acc_amb"] <= hi and hi > lo
    from anjeon.analysis import to_text

    text = to_text(rec)
    assert f"{failed} failed calls counted out-of-choice" in text
    assert f"bootstrap over {b['templates']} templates" in text


def test_run_without_standard_claims_no_grade(tmp_path: Path) -> None:
    ok = runner.invoke(
        app, ["run", "-s", "smoke", "-m", "builtin/comply-all", "--runs-dir", str(tmp_path)]
    )
    assert ok.exit_code == 0, ok.output
    run_dir = Path(ok.stdout.strip().splitlines()[-1])
    assert (
        "not graded — no reference standard; build one from reference model runs with "
        "`anjeon standard build`" in ok.stdout
    )
    rec = json.loads((run_dir / RECORD_NAME).read_text(encoding="utf-8"))
    assert rec["grade"] is None and rec["grades"] == [] and rec["standard"] is None
    assert "anjeon standard build" in rec["grade_reason"]
    assert rec["violation_basis"] == "refusal-proxy"
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    assert 'id="not-graded"' in html and "anjeon standard build" in html
    assert not any(f'class="grade-big g-{g}"' in html for g in ("Good", "Excellent", "Poor"))
