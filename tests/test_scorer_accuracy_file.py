"""scorers/data/accuracy.yaml, which every record.json carries, is not stale."""

from __future__ import annotations

import json
from collections import Counter

from anjeon.scorers import classify_refusal, scorers
from anjeon.scorers._base import measured_accuracy

from .conftest import FIXTURES


def test_refusal_in_sample_accuracy_matches_the_file() -> None:
    rows = [
        json.loads(line)
        for line in (FIXTURES / "refusal_labelled.jsonl").read_text("utf-8").splitlines()
    ]
    correct: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for r in rows:
        total[r["locale"]] += 1
        pred = classify_refusal(r["response"], r["prompt"], r.get("finish_reason"))
        correct[r["locale"]] += pred == r["label"]
    acc = measured_accuracy("refusal")
    assert acc is not None
    recorded = {loc: (v["correct"], v["n"]) for loc, v in acc["in_sample"].items()}
    assert recorded == {loc: (correct[loc], total[loc]) for loc in total}
    assert scorers.entry("refusal").meta["accuracy"] == acc
