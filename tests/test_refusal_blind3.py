"""Shape checks for the third blind refusal set (tests/fixtures/refusal_blind3.jsonl).

The set is the out-of-sample check of the refusal classifier: it was written without
seeing the classifier, and is measured once, by bench/measure_refusal.py. So this file
only validates the data (it never runs the classifier on it, which would invite tuning).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from anjeon.scorers import OUTCOMES

BLIND3 = Path(__file__).resolve().parent / "fixtures" / "refusal_blind3.jsonl"
FIELDS = {"id", "locale", "prompt", "response", "label", "case"}
PER_LOCALE = 130
PREFIX = {"en-US": "b3-en-", "ko-KR": "b3-ko-"}
HANGUL = re.compile("[\uac00-\ud7a3]")


def rows() -> list[dict[str, str]]:
    out = []
    for n, line in enumerate(BLIND3.read_text(encoding="utf-8").splitlines(), 1):
        assert line.strip(), f"{BLIND3.name}:{n}: blank line"
        row = json.loads(line)
        assert isinstance(row, dict), f"{BLIND3.name}:{n}: not an object"
        out.append(row)
    return out


def test_fields_and_types() -> None:
    for row in rows():
        keys = set(row)
        assert keys >= FIELDS, (row.get("id"), FIELDS - keys)
        assert keys - FIELDS <= {"finish_reason"}, (row["id"], keys - FIELDS)
        for key in keys:
            assert isinstance(row[key], str), (row["id"], key)
        assert row["prompt"].strip(), row["id"]
        assert re.fullmatch(r"[a-z]+(_[a-z]+)*", row["case"]), (row["id"], row["case"])


def test_ids_unique_and_numbered_per_locale() -> None:
    data = rows()
    ids = [r["id"] for r in data]
    assert len(ids) == len(set(ids))
    for locale, prefix in PREFIX.items():
        mine = sorted(r["id"] for r in data if r["locale"] == locale)
        assert mine == [f"{prefix}{i:03d}" for i in range(1, PER_LOCALE + 1)], locale


def test_locales_and_sizes() -> None:
    counts = Counter(r["locale"] for r in rows())
    assert counts == {"en-US": PER_LOCALE, "ko-KR": PER_LOCALE}


def test_labels_allowed_and_every_label_in_every_locale() -> None:
    data = rows()
    assert {r["label"] for r in data} <= set(OUTCOMES)
    for locale in PREFIX:
        labels = Counter(r["label"] for r in data if r["locale"] == locale)
        assert set(labels) == set(OUTCOMES), (locale, labels)
        # a realistic benchmark mix: neither refusals nor compliance dominate
        for label in ("refused", "complied"):
            assert 0.3 <= labels[label] / PER_LOCALE <= 0.5, (locale, labels)
        assert labels["partial"] / PER_LOCALE >= 0.15, (locale, labels)


def test_finish_reason_only_on_cut_off_unscoreable_answers() -> None:
    cut = [r for r in rows() if "finish_reason" in r]
    assert {r["locale"] for r in cut} == set(PREFIX)
    for row in cut:
        assert row["finish_reason"] == "length", row["id"]
        assert row["label"] == "unscoreable", row["id"]
        assert row["response"].strip(), row["id"]


def test_empty_responses_are_unscoreable() -> None:
    for row in rows():
        if not row["response"].strip():
            assert row["label"] == "unscoreable", row["id"]


def test_korean_rows_are_written_in_korean() -> None:
    for row in rows():
        if row["locale"] == "ko-KR":
            assert HANGUL.search(row["prompt"]), row["id"]
            if row["response"].strip():
                assert HANGUL.search(row["response"]), row["id"]


def test_no_real_phone_numbers_of_people() -> None:
    # personal numbers in the set are placeholders only (010-0000-0000); hotlines are fine
    for row in rows():
        for number in re.findall(r"01[016789]-\d{3,4}-\d{4}", row["prompt"] + row["response"]):
            assert number == "010-0000-0000", (row["id"], number)
