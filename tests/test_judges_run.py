"""Judging runs: the judged violation rate, re-judging with zero target requests, the
cascade, ensembles, judge errors, and SIGKILL during judging."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from anjeon.cli import app
from anjeon.judges import Ensemble
from anjeon.testing import StubConfig, StubServer
from anjeon.testing._judge_stub import draws
from tests.conftest import run_rows as rows

LG = "llama-guard:openai-compatible/llama-guard-4"
QWEN = "qwen3guard:openai-compatible/qwen3guard-gen-8b"
KANANA = "kanana-safeguard:openai-compatible/kanana-safeguard-8b"


def cli(*args: str) -> Any:
    out = CliRunner().invoke(app, list(args))
    assert out.exit_code == 0, out.output
    return out


def gradeable_texts(run_dir: Path) -> dict[str, str]:
    return dict(
        rows(
            run_dir,
            "SELECT c.key, r.text FROM cells c JOIN items i ON i.suite = c.suite AND "
            "i.item_id = c.item_id JOIN responses r ON r.cell_key = c.key WHERE "
            "json_extract(i.data, '$.kind') = 'harmful' AND "
            "json_extract(i.data, '$.expected') = 'refuse'",
        )
    )


def overall(run_dir: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    rec = json.loads((run_dir / "record.json").read_text(encoding="utf-8"))
    row = next(m for m in rec["metrics"] if m["group"] == {})
    return row["violation_rate"], rec


def target_requests(stub: StubServer) -> int:
    return sum(n for k, n in stub.cells.items() if not k.startswith("judge:"))


def test_judged_violation_rate_and_rejudging_without_the_target(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    cfg = StubConfig(judge="auto", flag_rate=0.3, lifetime=120)
    with StubServer(cfg).in_thread() as stub:
        out = cli("run", "--suite", "core", "--limit", "60", "--model",
                  "openai-compatible/target", "--base-url", stub.url, "--runs-dir", str(runs),
                  "--judge", f"{LG}@{stub.url}", "--quiet")  # fmt: skip
        run_dir = Path(out.stdout.strip().splitlines()[-1])
        texts = gradeable_texts(run_dir)
        flagged = sum(draws(t)[0] < 0.3 for t in texts.values())
        rate, rec = overall(run_dir)
        assert rate["n"] == len(texts) > 40
        assert rate["value"] == pytest.approx(flagged / len(texts), abs=1e-6)
        assert 0.2 < rate["value"] < 0.4  # the stub flags 30 %
        assert rec["judging"]["decided_by"] == "judges"
        assert rec["judging"]["proxy"]["overall"]["proxy_violation_rate"] == 1.0
        assert "judged rate" in rec["notes"][0] and LG in rec["notes"][0]

        before = target_requests(stub)
        cli("score", str(run_dir), "--judge", QWEN, "--judge", KANANA,
            "--judge-base-url", stub.url)  # fmt: skip
        assert target_requests(stub) == before  # zero target requests
        rate2, rec2 = overall(run_dir)
        assert rate2["value"] == rate["value"] and rec2["judging"]["judges"] == [QWEN, KANANA]
        # re-scoring with a judge already stored asks it nothing
        judge_calls = sum(stub.cells.values())
        cli("score", str(run_dir), "--judge", QWEN, "--judge-base-url", stub.url)
        assert sum(stub.cells.values()) == judge_calls
        assert all(n == 1 for n in stub.cells.values())  # nothing was ever asked twice


def test_cascade_skips_clear_refusals_and_the_record_counts_the_savings(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    # the target refuses prompts with "how" in them; everything else complies
    cfg = StubConfig(judge="auto", flag_rate=0.3, refuse_pattern="how|어떻게", lifetime=120)
    with StubServer(cfg).in_thread() as stub:
        out = cli("run", "--suite", "core", "--limit", "40", "--model",
                  "openai-compatible/target", "--base-url", stub.url, "--runs-dir", str(runs),
                  "--quiet")  # fmt: skip
        run_dir = Path(out.stdout.strip().splitlines()[-1])
        refused = dict(rows(run_dir, "SELECT cell_key, label FROM scores WHERE scorer = 'refusal'"))
        texts = gradeable_texts(run_dir)
        clear = {k for k in texts if refused.get(k) == "refused"}
        assert 0 < len(clear) < len(texts)
        cli("score", str(run_dir), "--judge", LG, "--judge-base-url", stub.url,
            "--cascade-audit", "50")  # fmt: skip
        _, rec = overall(run_dir)
        c = rec["judging"]["cascade"]
        asked = {k.rsplit(":", 1)[1] for k in stub.cells if k.startswith("judge:")}
        assert c["calls_saved"] + c["audited"] == len(clear)
        assert c["calls_saved"] > 0 and c["audited"] > 0
        assert (
            asked == (set(texts) - clear) | (asked & clear) and len(asked & clear) == c["audited"]
        )
        # the stub's refusals are judged by their draw, so some audited ones disagree
        assert c["audit_agreement"] is not None
        # a run without the cascade asks about every answer
        cli("score", str(run_dir), "--judge", QWEN, "--judge-base-url", stub.url, "--no-cascade")
        _, rec = overall(run_dir)
        assert rec["judging"]["cascade"]["calls_saved"] == 0


def test_malformed_judge_answers_are_counted_errors_with_raw_text(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    cfg = StubConfig(judge="auto", flag_rate=0.3, judge_malformed=0.25, lifetime=120)
    with StubServer(cfg).in_thread() as stub:
        out = cli("run", "--suite", "core", "--limit", "40", "--model",
                  "openai-compatible/target", "--base-url", stub.url, "--runs-dir", str(runs),
                  "--judge", f"{LG}@{stub.url}", "--quiet")  # fmt: skip
        run_dir = Path(out.stdout.strip().splitlines()[-1])
    rate, rec = overall(run_dir)
    j = rec["judging"]["per_judge"][0]
    errors = j["judge_errors"].get("malformed", 0)
    assert errors > 0 and rec["judging"]["undecided"] == errors
    assert j["judge_error_examples"][0]["raw"].startswith("The answer looks fine")
    assert rate["n"] == len(gradeable_texts(run_dir)) - errors  # left out, not counted safe


def test_ensemble_majority_minimum_and_tie_rule() -> None:
    e = Ensemble.of([("a", "1"), ("b", "1"), ("c", "1")])
    assert e.min_valid == 2
    assert e.decide(["unsafe", "safe", "unsafe"]) == "unsafe"
    assert e.decide(["safe", "safe", "unsafe"]) == "safe"
    assert e.decide(["unsafe", None, None]) is None  # one valid verdict cannot decide
    assert e.decide(["unsafe", "safe", None]) == "unsafe"  # a tie counts as unsafe
    two = Ensemble.of([("a", "1"), ("b", "1")], min_valid=1)
    assert two.decide([None, "safe"]) == "safe"
    with pytest.raises(ValueError):
        Ensemble.of([("a", "1")], min_valid=2)


def verdict_keys(run_dir: Path) -> set[str]:
    return {k for (k,) in rows(run_dir, "SELECT cell_key FROM verdicts", missing_ok=True)}


@pytest.mark.slow
@pytest.mark.timeout(150)
def test_sigkill_during_judging_then_resume_repeats_no_stored_verdict(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    with StubServer(StubConfig(lifetime=140)).in_thread() as target:
        out = cli("run", "--suite", "core", "--model", "openai-compatible/target",
                  "--base-url", target.url, "--runs-dir", str(runs), "--quiet")  # fmt: skip
        run_dir = Path(out.stdout.strip().splitlines()[-1])
    n = len(gradeable_texts(run_dir))
    judge_cfg = StubConfig(judge="llama-guard", flag_rate=0.3, latency=0.02, lifetime=140)
    with StubServer(judge_cfg).in_thread() as guard:
        cmd = [sys.executable, "-m", "anjeon.cli", "score", str(run_dir), "--judge",
               f"{LG}@{guard.url}", "--judge-max-connections", "4"]  # fmt: skip
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and len(verdict_keys(run_dir)) < 60:
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        time.sleep(0.3)
        stored = verdict_keys(run_dir)
        assert 60 <= len(stored) < n, "killed too late to prove anything"
        before = dict(guard.cells)
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        after = dict(guard.cells)
    header = {k.rsplit(":", 1)[1]: k for k in after}
    repeated = [k for k in stored if after[header[k]] != before[header[k]]]
    assert repeated == []
    assert len(verdict_keys(run_dir)) == n
    rate, _ = overall(run_dir)
    assert rate["n"] == n


def test_report_shows_each_judges_kappa_per_language_and_warns(tmp_path: Path) -> None:
    from anjeon.testing._judge_stub import draws as d

    runs = tmp_path / "runs"
    gold = tmp_path / "gold.jsonl"
    lines = []
    for i in range(40):
        loc = "ko-KR" if i % 2 else "en-US"
        text = f"gold {i}"
        label = "unsafe" if d(text)[0] < 0.3 else "safe"
        if loc == "ko-KR" and i % 4 == 1:  # people disagree with the judge on Korean
            label = "safe" if label == "unsafe" else "unsafe"
        lines.append(json.dumps({"prompt": "q", "response": text, "locale": loc, "label": label}))
    gold.write_text("\n".join(lines) + "\n", encoding="utf-8")
    cfg = StubConfig(judge="auto", flag_rate=0.3, lifetime=120)
    with StubServer(cfg).in_thread() as stub:
        cli("judge", "validate", str(gold), "--judge", f"{LG}@{stub.url}", "--runs-dir", str(runs))
        out = cli("run", "--suite", "core", "--limit", "20", "--model",
                  "openai-compatible/target", "--base-url", stub.url, "--runs-dir", str(runs),
                  "--judge", LG, "--judge", KANANA, "--judge-base-url", stub.url,
                  "--quiet")  # fmt: skip
    run_dir = Path(out.stdout.strip().splitlines()[-1])
    _, rec = overall(run_dir)
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    assert rec["violation_basis"] == "judge"
    lg = next(j for j in rec["judging"]["per_judge"] if j["name"] == LG)
    ko = lg["validation"][0]["by_locale"]["ko-KR"]["kappa"]
    en = lg["validation"][0]["by_locale"]["en-US"]["kappa"]
    assert en - ko > 0.1
    assert 'id="judges"' in html and f"κ {ko:.2f}" in html  # the Korean gap warning
    assert "was never validated" in html and KANANA in html  # the unvalidated judge
    assert "violation (proxy)" in html  # the proxy, beside the judged rate


def test_check_reads_the_judged_rate_and_names_the_judge(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    with StubServer(StubConfig(judge="auto", flag_rate=0.3, lifetime=120)).in_thread() as stub:
        out = cli("run", "--suite", "core", "--limit", "20", "--model",
                  "openai-compatible/target", "--base-url", stub.url, "--runs-dir", str(runs),
                  "--judge", f"{LG}@{stub.url}", "--quiet")  # fmt: skip
    run_dir = Path(out.stdout.strip().splitlines()[-1])
    # the proxy says 100 %, the judge about 30 %: a 50 % ceiling passes only on the judge
    res = CliRunner().invoke(app, ["check", str(run_dir), "--max-violation-rate", "0.5"])
    assert res.exit_code == 0, res.output
    assert f"judged by {LG}" in res.output
