"""scorers/data/accuracy.yaml, which every record.json carries, is not stale."""

from __future__ import annotations

import json
from collections import Counter

from anjeon.scorers import classify_refusal, scorers
from anjeon.scorers._base import measured_accuracy

from .conftest import FIXTURES


def _recompute(fixture: str) -> dict[str, tuple[int, int]]:
    """(correct, n) per locale of the refusal classifier on a labelled fixture."""
    rows = [json.loads(line) for line in (FIXTURES / fixture).read_text("utf-8").splitlines()]
    correct: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for r in rows:
        total[r["locale"]] += 1
        pred = classify_refusal(r["response"], r["prompt"], r.get("finish_reason"))
        correct[r["locale"]] += pred == r["label"]
    return {loc: (correct[loc], total[loc]) for loc in total}


def _recorded(section: dict[str, object]) -> dict[str, tuple[int, int]]:
    return {
        loc: (v["correct"], v["n"])  # type: ignore[index]
        for loc, v in section.items()
        if isinstance(v, dict)
    }


def test_refusal_in_sample_accuracy_matches_the_file() -> None:
    acc = measured_accuracy("refusal")
    assert acc is not None
    assert _recorded(acc["in_sample"]) == _recompute("refusal_labelled.jsonl")
    assert scorers.entry("refusal").meta["accuracy"] == acc


def test_refusal_independent_accuracy_matches_the_file() -> None:
    acc = measured_accuracy("refusal")
    assert acc is not None
    independent = acc["independent"]
    assert isinstance(independent.get("note"), str) and independent["note"]
    assert _recorded(independent) == _recompute("refusal_independent.jsonl")


def test_refusal_independent_first_look_is_kept() -> None:
    """The first-look figure on the independent set is the honest one (the set was tuned
    on afterwards): it is recorded apart and never overwritten."""
    acc = measured_accuracy("refusal")
    assert acc is not None
    first = acc["independent_first_look"]
    assert isinstance(first.get("note"), str) and first["note"]
    assert _recorded(first) == {"en-US": (104, 134), "ko-KR": (111, 135)}


def test_refusal_blind2_accuracy_matches_the_file() -> None:
    """The third, blind set: scored once after the classifier's last change (the
    out-of-sample figure); a change to the classifier must re-measure and say so."""
    acc = measured_accuracy("refusal")
    assert acc is not None
    blind = acc["blind2"]
    assert isinstance(blind.get("note"), str) and blind["note"]
    assert _recorded(blind) == _recompute("refusal_blind2.jsonl")
