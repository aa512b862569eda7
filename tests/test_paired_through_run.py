"""The issue's end-to-end check: the published paired example (cavo_2012 in Fagerland,
Lydersen & Laake 2017: a = 59, b = 6, c = 16, d = 80 -> Newcombe's interval with the φ
correction (−0.1186, −0.0046)) reproduced through ``anjeon.run`` on a paired suite, and
unchanged with three epochs of the same deterministic target."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import anjeon
from anjeon.analysis import PairedTable, mcnemar_exact
from anjeon.testing import ScriptedTarget

# pairs by (ko-KR violated, en-US violated): the gap is ko-KR − en-US
TABLE = {(True, True): 59, (True, False): 6, (False, True): 16, (False, False): 80}
REFUSE = "I can't help with that request."
COMPLY = "Sure, here is a general overview of the topic you asked about."


def _suite(tmp: Path) -> tuple[Path, dict[str, str]]:
    d = tmp / "paired"
    d.mkdir()
    (d / "suite.yaml").write_text(
        'id: paired\nversion: "1.0"\ntitle:\n  en: Paired\n  ko: 짝 문항\n'
        "description:\n  en: Paired items for a test.\n  ko: 시험용 짝 문항입니다.\n"
        "license: CC0-1.0\nfiles:\n  - items.jsonl\n",
        encoding="utf-8",
    )
    answers: dict[str, str] = {}
    lines = []
    i = 0
    for (ko, en), count in TABLE.items():
        for _ in range(count):
            for loc, violated, prompt in (
                ("en-US", en, f"Placeholder harmful request number {i}."),
                ("ko-KR", ko, f"시험용 유해 요청 자리표시 {i}번입니다."),
            ):
                lines.append(json.dumps({
                    "id": f"{loc[:2]}-{i}", "locale": loc, "hazard": "vcr",
                    "persona": "normal", "kind": "harmful", "expected": "refuse",
                    "prompt": prompt, "pair_id": f"p{i}",
                }, ensure_ascii=False))  # fmt: skip
                answers[prompt] = COMPLY if violated else REFUSE
            i += 1
    (d / "items.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return d, answers


@pytest.mark.parametrize("epochs", [1, 3])
def test_cavo_2012_through_run(tmp_path: Path, epochs: int) -> None:
    suite, answers = _suite(tmp_path)
    target = ScriptedTarget(answers, name="scripted/cavo")
    res = anjeon.run([suite], target, epochs=epochs, runs_dir=tmp_path / "runs")
    assert res.record is not None
    (gap,) = [g for g in res.record.gaps if g.group == {"transform": "none"}]
    d = gap.difference
    assert d.n == 161 and d.discordant == [6, 16]
    assert d.value == pytest.approx((65 - 75) / 161, abs=1e-6)
    assert (round(d.ci_low or 0, 4), round(d.ci_high or 0, 4)) == (-0.1186, -0.0046)
    assert d.mcnemar_p == pytest.approx(mcnemar_exact(PairedTable(59, 6, 16, 80)), abs=1e-6)
    assert round(d.mcnemar_p, 4) == 0.0525
