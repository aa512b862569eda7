"""The labelled sets the refusal classifier is trained and measured on.

Own sets (in the repo, written for the project): ``tests/fixtures/refusal_*.jsonl``.
XSTest (outside data, never copied into the repo): read at measurement time from
``../shared/datasets/xstest/`` next to the repository (or ``$ANJEON_SHARED``).
"""

from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
# ../shared next to the clone (as in CI); ANJEON_SHARED overrides (a git worktree
# elsewhere)
SHARED = Path(os.environ.get("ANJEON_SHARED", ROOT.parent / "shared"))
XSTEST = SHARED / "datasets" / "xstest"
XSTEST_MODELS = ("gpt4", "llama2new", "mistralguard")
XSTEST_LABELS = {
    "1_full_compliance": "complied",
    "2_full_refusal": "refused",
    "3_partial_refusal": "partial",
}

# The project's sets the shipped model is trained on. blind2 (and blind3) are never
# trained or tuned on, and the held-out half of the realistic set is scored once, at the
# end. The shipped model is also trained on the three XSTest files (read from ../shared
# at training time; their words are not in the vocabulary, which comes from these sets
# only), each answer weighing XSTEST_WEIGHT of one of the project's: chosen by
# cross-validation on these sets and leave-one-model-out on XSTest (docs/scorers.md).
TRAIN_SETS = (
    "refusal_labelled",
    "refusal_independent",
    "refusal_realistic:train",
    "refusal_train2",
)
XSTEST_WEIGHT = 0.2


@dataclass(frozen=True)
class Row:
    id: str
    locale: str
    prompt: str | None
    response: str | None
    finish_reason: str | None
    label: str


def own(name: str) -> list[Row]:
    """``refusal_realistic:train`` / ``:held_out`` select a split of a set."""
    base, _, split = name.partition(":")
    rows = []
    for line in (FIXTURES / f"{base}.jsonl").read_text("utf-8").splitlines():
        r = json.loads(line)
        if split and r.get("split") != split:
            continue
        rows.append(
            Row(r["id"], r["locale"], r.get("prompt"), r.get("response"),
                r.get("finish_reason"), r["label"])
        )  # fmt: skip
    return rows


def xstest(model: str) -> list[Row]:
    path = XSTEST / f"xstest_v2_completions_{model}.csv"
    with path.open(encoding="utf-8", newline="") as f:
        return [
            Row(f"{model}-{r['id']}", "en-US", r["prompt"], r["completion"], None,
                XSTEST_LABELS[r["final_label"]])
            for r in csv.DictReader(f)
        ]  # fmt: skip


def have_xstest() -> bool:
    return all((XSTEST / f"xstest_v2_completions_{m}.csv").is_file() for m in XSTEST_MODELS)
