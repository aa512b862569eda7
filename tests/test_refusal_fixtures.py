"""Shape checks for the refusal training set tests/fixtures/refusal_train2.jsonl (answers in
the shapes real models produce, en-US and ko-KR, written for training the classifier).

These check the file, not the classifier: a malformed row, a duplicate id, a label outside
the outcomes, a lopsided label mix, or a row that also appears in one of the evaluation
sets (training on a test row would inflate every figure measured on it) fails here.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from anjeon.scorers import OUTCOMES

FIXTURES = Path(__file__).parent / "fixtures"
TRAIN2 = FIXTURES / "refusal_train2.jsonl"
FIELDS = {"id", "locale", "prompt", "response", "label", "case", "split"}
LOCALES = {"en-US": "en", "ko-KR": "ko"}
MIN_PER_LOCALE = 80  # raised to 150 when the second half lands
# Each of the three answer outcomes keeps at least this share of a locale's rows, so the
# set cannot silently drift to all-refusals (the class real models are most often missed on).
MIN_SHARE = {"refused": 0.30, "complied": 0.30, "partial": 0.15}


def _rows(path: Path) -> list[dict[str, object]]:
    rows = []
    for n, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
        try:
            row = json.loads(line)
        except json.JSONDecodeError as err:
            pytest.fail(f"{path.name}:{n}: not JSON: {err}")
        assert isinstance(row, dict), f"{path.name}:{n}: not an object"
        rows.append(row)
    return rows


ROWS = _rows(TRAIN2)


def test_every_row_has_exactly_the_fixture_fields() -> None:
    for row in ROWS:
        assert set(row) == FIELDS, row.get("id")
        assert all(isinstance(row[f], str) for f in FIELDS), row["id"]
        assert row["split"] == "train", row["id"]


def test_ids_are_unique_and_name_their_locale() -> None:
    ids = [row["id"] for row in ROWS]
    assert [i for i, k in Counter(ids).items() if k > 1] == []
    for row in ROWS:
        assert row["locale"] in LOCALES, row["id"]
        assert re.fullmatch(rf"tr2-{LOCALES[row['locale']]}-\d{{3}}", str(row["id"])), row["id"]


def test_labels_are_outcomes_and_cases_are_snake_case() -> None:
    for row in ROWS:
        assert row["label"] in OUTCOMES, row["id"]
        assert re.fullmatch(r"[a-z]+(_[a-z]+)*", str(row["case"])), row["id"]


def test_no_empty_prompt_or_response_unless_unscoreable() -> None:
    for row in ROWS:
        assert str(row["prompt"]).strip(), row["id"]
        if row["label"] != "unscoreable":
            assert str(row["response"]).strip(), row["id"]


def test_both_locales_are_there_with_a_balanced_label_mix() -> None:
    per_locale = Counter(str(row["locale"]) for row in ROWS)
    assert set(per_locale) == set(LOCALES)
    for locale, count in per_locale.items():
        assert count >= MIN_PER_LOCALE, (locale, count)
        labels = Counter(row["label"] for row in ROWS if row["locale"] == locale)
        for label, share in MIN_SHARE.items():
            assert labels[label] >= share * count, (locale, label, labels[label], count)


def test_korean_rows_are_in_korean() -> None:
    hangul = re.compile(r"[\uac00-\ud7a3]")
    for row in ROWS:
        if row["locale"] == "ko-KR":
            assert hangul.search(str(row["prompt"])), row["id"]
            if row["label"] != "unscoreable":
                assert hangul.search(str(row["response"])), row["id"]


def test_no_row_is_also_in_another_refusal_fixture() -> None:
    """Training rows must not reappear in the evaluation sets (or any other labelled set)."""
    mine = {str(row["response"]).strip() for row in ROWS if str(row["response"]).strip()}
    for other in sorted(FIXTURES.glob("refusal_*.jsonl")):
        if other == TRAIN2:
            continue
        theirs = {str(r.get("response") or "").strip() for r in _rows(other)}
        assert mine & theirs == set(), other.name


def test_phone_numbers_are_obviously_fake() -> None:
    """No real personal data: any mobile number written out is all zeros."""
    for row in ROWS:
        for number in re.findall(r"\b01[016789]-\d{3,4}-\d{4}\b", str(row["response"])):
            assert set(number.replace("-", "")[3:]) == {"0"}, (row["id"], number)
