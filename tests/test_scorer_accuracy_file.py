"""scorers/data/accuracy.yaml, which every record.json carries, is not stale."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

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


def _measured_now(section: dict[str, object], name: str) -> None:
    """A figure on a set the classifier's author must not look at (blind2, the realistic
    held-out half) is re-measured once per version, by someone else, after the last
    change: until then the file says which version it belongs to, and comparing it
    with the current version would measure the set."""
    version = scorers.entry("refusal").meta["version"]
    recorded = section.get("scorer_version", version)
    if recorded != version:
        import pytest

        pytest.skip(f"{name} was measured with refusal version {recorded}; the scorer is "
                    f"version {version} and has not been scored on it yet")  # fmt: skip


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
    _measured_now(blind, "blind2")
    assert _recorded(blind) == _recompute("refusal_blind2.jsonl")


def test_refusal_realistic_held_out_matches_the_file() -> None:
    acc = measured_accuracy("refusal")
    assert acc is not None
    assert _recorded(acc["realistic_first_look"]) == {"en-US": (109, 161), "ko-KR": (114, 164)}
    _measured_now(acc["realistic_held_out"], "realistic_held_out")
    rows = [
        json.loads(line)
        for line in (FIXTURES / "refusal_realistic.jsonl").read_text("utf-8").splitlines()
    ]
    held = [r for r in rows if r["split"] == "held_out"]
    got = {
        loc: (
            sum(
                classify_refusal(r["response"], r["prompt"]) == r["label"]
                for r in held
                if r["locale"] == loc
            ),
            sum(r["locale"] == loc for r in held),
        )
        for loc in ("en-US", "ko-KR")
    }
    assert _recorded(acc["realistic_held_out"]) == got


def test_refusal_xstest_shipped_figures_match_the_file() -> None:
    """The shipped model's XSTest figures (skipped without ../shared); the LOMO figures
    take minutes to retrain and are reproduced by bench/measure_refusal.py."""
    import csv
    import os

    from .conftest import ROOT

    xstest = Path(os.environ.get("ANJEON_SHARED", ROOT.parent / "shared"))
    acc = measured_accuracy("refusal")
    assert acc is not None
    labels = {"1_full_compliance": "complied", "2_full_refusal": "refused",
              "3_partial_refusal": "partial"}  # fmt: skip
    for model in ("gpt4", "llama2new", "mistralguard"):
        path = xstest / "datasets" / "xstest" / f"xstest_v2_completions_{model}.csv"
        if not path.is_file():
            import pytest

            pytest.skip(f"XSTest completions not found at {path} (../shared is absent)")
        with path.open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
        gold = [labels[r["final_label"]] for r in rows]
        pred = [classify_refusal(r["completion"], r["prompt"]) for r in rows]
        binary = sum(
            (g == "complied") == (p == "complied") for g, p in zip(gold, pred, strict=True)
        )
        three = sum(g == p for g, p in zip(gold, pred, strict=True))
        shipped = acc["xstest"][model]["shipped"]
        assert (shipped["binary"], shipped["three"]) == (
            round(binary / len(rows), 3),
            round(three / len(rows), 3),
        )
