"""Contentious items judged on balance by a policy or rubric judge (never by refusal):
the balanced rate in the record, judge errors, no re-asking on a rerun, guards skip."""

from __future__ import annotations

import asyncio
import json
import re
import sqlite3
from collections import defaultdict
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from anjeon.analysis import build_record, to_text
from anjeon.cli import app
from anjeon.judges import judge_run, make_judge
from anjeon.judges._balance import BALANCE_VERSION
from anjeon.reports import cells_data, render_html
from anjeon.targets import Messages
from anjeon.testing import ScriptedTarget, StubConfig, StubServer

RUBRIC = "rubric:openai-compatible/judge-model"
GUARD = "llama-guard:openai-compatible/llama-guard-4"
_REQUEST = re.compile(r"<request>\n(.*?)\n</request>", re.S)


def contentious_run(tmp_path: Path) -> Path:
    with StubServer(StubConfig()).in_thread() as stub:
        runs = str(tmp_path / "runs")
        args = ["run", "--suite", "contentious", "--model", "openai-compatible/target",
                "--base-url", stub.url, "--runs-dir", runs, "--quiet"]  # fmt: skip
        out = CliRunner().invoke(app, args)
    assert out.exit_code == 0, out.output
    return Path(out.stdout.strip().splitlines()[-1])


def prompts_by_locale(run_dir: Path) -> dict[str, list[str]]:
    con = sqlite3.connect(run_dir / "run.db")
    try:
        rows = con.execute("SELECT locale, messages FROM cells WHERE status = 'answered'")
        out: dict[str, list[str]] = defaultdict(list)
        for locale, messages in rows:
            out[locale].append(json.loads(messages)[-1]["content"])
    finally:
        con.close()
    return {k: sorted(v) for k, v in out.items()}


def verdict(balanced: bool) -> str:
    return json.dumps({"balanced": balanced, "one_sided": not balanced,
                       "factual_errors": [] if balanced else ["날짜 오류"],
                       "refused": False, "rationale": "r"}, ensure_ascii=False)  # fmt: skip


def judged(run_dir: Path, spec: str, answer: Any) -> ScriptedTarget:
    target = ScriptedTarget(answer)
    asyncio.run(judge_run(run_dir, [make_judge(spec, target=target)]))
    return target


def test_half_balanced_gives_50_percent_and_a_rerun_asks_nothing(tmp_path: Path) -> None:
    run_dir = contentious_run(tmp_path)
    by_locale = prompts_by_locale(run_dir)
    assert set(by_locale) == {"ko-KR", "en-US"} and sum(map(len, by_locale.values())) == 31
    # every other prompt of each locale is balanced
    balanced = {p for ps in by_locale.values() for p in ps[::2]}
    seen: list[Messages] = []

    def answer(messages: Messages) -> str:
        seen.append(messages)
        m = _REQUEST.search(str(messages[-1]["content"]))
        assert m is not None
        return verdict(m.group(1) in balanced)

    target = judged(run_dir, RUBRIC, answer)
    assert len(target.calls) == 31
    # the item's language and its notes are in the balance rubric
    ko = next(m for m in seen if "균형 잡힌 답변이 정확히 짚어야 할 사실" in str(m[0]["content"]))
    assert "{notes}" not in str(ko[0]["content"])
    rec = build_record(run_dir)
    bal = rec.judging.balance
    assert bal is not None and bal.status == "judged" and bal.judge == RUBRIC
    assert bal.by_locale is not None
    for locale, ps in by_locale.items():
        fig = bal.by_locale[locale].balanced_rate
        assert fig.n == len(ps)
        assert fig.value == len(ps[::2]) / len(ps)
        assert abs(fig.value - 0.5) <= 0.5 / len(ps) + 1e-9
        assert fig.ci_low is not None and fig.ci_high is not None
        assert fig.ci_low < fig.value < fig.ci_high
    overall = sum(len(ps[::2]) for ps in by_locale.values()) / 31
    assert abs(overall - 0.5) < 0.02
    assert "Contentious items: balanced answers" in to_text(rec)
    html = render_html(rec, cells_data(run_dir))
    assert 'id="balance-ko-KR"' in html and 'id="balance-en-US"' in html
    # stored under the balance version, not mixed into the rubric's harm verdicts
    con = sqlite3.connect(run_dir / "run.db")
    try:
        versions = con.execute("SELECT DISTINCT prompt_version FROM verdicts").fetchall()
    finally:
        con.close()
    assert versions == [(BALANCE_VERSION,)]
    again = judged(run_dir, RUBRIC, lambda m: verdict(True))
    assert again.calls == []
    assert build_record(run_dir).judging.balance == bal


def test_malformed_balance_answers_are_judge_errors(tmp_path: Path) -> None:
    run_dir = contentious_run(tmp_path)
    by_locale = prompts_by_locale(run_dir)
    bad = {ps[0] for ps in by_locale.values()}

    def answer(messages: Messages) -> str:
        m = _REQUEST.search(str(messages[-1]["content"]))
        assert m is not None
        if m.group(1) in bad:
            return '{"balanced": "yes", "rationale": "r"}'
        return verdict(True)

    judged(run_dir, "policy:openai-compatible/judge-model", answer)
    bal = build_record(run_dir).judging.balance
    assert bal is not None and bal.by_locale is not None
    for locale, ps in by_locale.items():
        b = bal.by_locale[locale]
        assert b.judge_errors == 1
        assert b.balanced_rate.n == len(ps) - 1 and b.balanced_rate.value == 1.0
    con = sqlite3.connect(run_dir / "run.db")
    try:
        errors = con.execute("SELECT error, raw FROM verdicts WHERE label IS NULL").fetchall()
    finally:
        con.close()
    assert len(errors) == 2
    assert all(e.startswith("malformed:") and '"yes"' in raw for e, raw in errors)


def test_without_a_policy_or_rubric_judge_contentious_items_are_not_scored(
    tmp_path: Path,
) -> None:
    run_dir = contentious_run(tmp_path)
    rec = build_record(run_dir)
    assert rec.judging.balance is not None
    assert rec.judging.balance.status == "not scored (needs a policy or rubric judge)"
    assert rec.judging.balance.answered == 31
    assert "not scored (needs a policy or rubric judge)" in to_text(rec)
    assert 'id="balance"' in render_html(rec, cells_data(run_dir))
    # a guard judges harm, not balance: it is never asked about a contentious cell
    guard = judged(run_dir, GUARD, lambda m: "safe")
    assert guard.calls == []
    bal = build_record(run_dir).judging.balance
    assert bal is not None and bal.by_locale is None
    assert bal.status.startswith("not scored")
