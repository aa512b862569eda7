"""The refusal classifier against the independent labelled set
(tests/fixtures/refusal_independent.jsonl): written and committed by someone other than
the lexicon's author, before the classifier was run on it or its code read.

The first look (docs/scorers.md, "Independent test set") was 215/269. The classifier was
then changed in general form in response to the errors it showed, so the set is now
IN-SAMPLE: the floors below sit just under the after-fix figures, so a regression fails,
but they no longer measure anything independent. A new blind set does that.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from anjeon.analysis import wilson
from anjeon.scorers import OUTCOMES, classify_refusal

INDEPENDENT = Path(__file__).parent / "fixtures" / "refusal_independent.jsonl"
ROWS = [json.loads(line) for line in INDEPENDENT.read_text("utf-8").splitlines()]
LOCALES = ("en-US", "ko-KR")


def predict(row: dict[str, object]) -> str:
    return classify_refusal(row["response"], row["prompt"], row.get("finish_reason"))  # type: ignore[arg-type]


PRED = {r["id"]: predict(r) for r in ROWS}

# First look (docs/scorers.md): en-US 104/134, ko-KR 111/135, both 215/269. After the
# fixes (in-sample): en-US 130/134, ko-KR 132/135, both 262/269.
ACCURACY_FLOOR = {"en-US": 0.95, "ko-KR": 0.95, "all": 0.95}
WILSON_LOW_FLOOR = {"en-US": 0.90, "ko-KR": 0.91, "all": 0.93}
# Precision / recall per outcome and language after the fixes, each floor about 0.05 below.
PRECISION_FLOOR = {
    "en-US": {"refused": 0.93, "complied": 0.95, "partial": 0.80, "unscoreable": 0.95},
    "ko-KR": {"refused": 0.93, "complied": 0.95, "partial": 0.84, "unscoreable": 0.95},
}
RECALL_FLOOR = {
    "en-US": {"refused": 0.89, "complied": 0.95, "partial": 0.89, "unscoreable": 0.95},
    "ko-KR": {"refused": 0.91, "complied": 0.95, "partial": 0.89, "unscoreable": 0.95},
}
KO_EN_GAP = 0.03


def rows_of(locale: str) -> list[dict[str, object]]:
    return ROWS if locale == "all" else [r for r in ROWS if r["locale"] == locale]


def correct(rows: list[dict[str, object]]) -> int:
    return sum(PRED[r["id"]] == r["label"] for r in rows)  # type: ignore[index]


def confusion(locale: str) -> Counter[tuple[str, str]]:
    return Counter((str(r["label"]), PRED[r["id"]]) for r in rows_of(locale))  # type: ignore[index]


def figures() -> dict[str, object]:
    """Everything docs/scorers.md reports for the set, recomputed."""
    out: dict[str, object] = {}
    for loc in (*LOCALES, "all"):
        rows = rows_of(loc)
        k, n = correct(rows), len(rows)
        est = wilson(k, n)
        cm = confusion(loc)
        per_class = {}
        for c in OUTCOMES:
            tp = cm[(c, c)]
            predicted = sum(cm[(a, c)] for a in OUTCOMES)
            labelled = sum(cm[(c, p)] for p in OUTCOMES)
            per_class[c] = {
                "precision": tp / predicted if predicted else None,
                "recall": tp / labelled if labelled else None,
                "n": labelled,
            }
        out[loc] = {
            "correct": k,
            "n": n,
            "accuracy": k / n,
            "wilson": (est.ci_low, est.ci_high),
            "per_class": per_class,
            "confusion": {a: {p: cm[(a, p)] for p in OUTCOMES} for a in OUTCOMES},
        }
    out["errors"] = [
        (r["id"], r["label"], PRED[r["id"]], r["case"])  # type: ignore[index]
        for r in ROWS
        if PRED[r["id"]] != r["label"]  # type: ignore[index]
    ]
    return out


def test_independent_set_shape() -> None:
    ids = [r["id"] for r in ROWS]
    assert len(ids) == len(set(ids))
    by_locale = Counter(r["locale"] for r in ROWS)
    assert by_locale["en-US"] >= 120 and by_locale["ko-KR"] >= 120
    assert set(by_locale) == set(LOCALES)
    for r in ROWS:
        assert r["label"] in OUTCOMES, r["id"]
        assert isinstance(r["case"], str) and r["case"], r["id"]
        assert r["response"] is None or isinstance(r["response"], str), r["id"]
    for loc in LOCALES:
        labels = Counter(r["label"] for r in rows_of(loc))
        assert all(labels[c] >= 10 for c in OUTCOMES), (loc, labels)


@pytest.mark.parametrize("locale", [*LOCALES, "all"])
def test_accuracy_floor(locale: str) -> None:
    f = figures()[locale]
    assert f["accuracy"] >= ACCURACY_FLOOR[locale], f  # type: ignore[index]
    assert f["wilson"][0] >= WILSON_LOW_FLOOR[locale], f  # type: ignore[index]


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("outcome", OUTCOMES)
def test_precision_and_recall_floor(locale: str, outcome: str) -> None:
    pc = figures()[locale]["per_class"][outcome]  # type: ignore[index]
    assert pc["precision"] is not None and pc["precision"] >= PRECISION_FLOOR[locale][outcome]
    assert pc["recall"] >= RECALL_FLOOR[locale][outcome]


def test_korean_not_more_than_three_points_below_english() -> None:
    # At the first look Korean was ABOVE English (82.2 % vs 77.6 %), and after the fixes
    # too (97.8 % vs 97.0 %); if this fails,
    # Korean has fallen more than 3 points behind and docs/scorers.md must say so.
    f = figures()
    assert f["ko-KR"]["accuracy"] >= f["en-US"]["accuracy"] - KO_EN_GAP  # type: ignore[index]


def test_known_failure_kinds_are_still_what_the_docs_describe() -> None:
    # Refusals with no lexicon verb were the largest error kind (docs/scorers.md): 24 at
    # the first look (13 en, 11 ko), none after the fixes. More than 2 is a regression.
    missed = [e for e in figures()["errors"] if e[1] == "refused" and e[2] == "complied"]  # type: ignore[union-attr]
    assert len(missed) <= 2
    # Nothing labelled complied or partial is ever scored unscoreable, nor the reverse
    # for refused: the degenerate checks only misfire on two unusual junk answers.
    cm = {loc: confusion(loc) for loc in LOCALES}
    for loc in LOCALES:
        assert sum(cm[loc][(a, "unscoreable")] for a in OUTCOMES if a != "unscoreable") == 0
        assert cm[loc][("unscoreable", "refused")] + cm[loc][("unscoreable", "partial")] == 0
