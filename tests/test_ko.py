"""anjeon.ko: jamo arithmetic, the normalizer, the 두벌식 layout."""

from __future__ import annotations

import time
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

import anjeon.ko as ko
from anjeon.ko import (
    INVISIBLE,
    chosung,
    compose_jamo,
    compose_syllable,
    convert_layout_words,
    decompose_jamo,
    decompose_syllable,
    from_dubeolsik,
    normalize_ko,
    to_dubeolsik,
)

syllables = st.text(st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3), max_size=40)
hangul_words = st.lists(syllables, max_size=6).map(" ".join)


def test_exports() -> None:
    assert sorted(ko.__all__) == sorted(n for n in dir(ko) if not n.startswith("_"))


def test_syllable_arithmetic() -> None:
    assert decompose_syllable("닭") == ("ㄷ", "ㅏ", "ㄺ")
    assert decompose_syllable("가") == ("ㄱ", "ㅏ", "")
    assert compose_syllable("ㄷ", "ㅏ", "ㄺ") == "닭"
    assert compose_syllable("ㅎ", "ㅢ") == "희"
    with pytest.raises(ValueError):
        compose_syllable("ㄸ", "ㅏ", "ㄸ")  # ㄸ is never a final
    with pytest.raises(ValueError):
        decompose_syllable("a")


@pytest.mark.parametrize(
    ("text", "jamo"),
    [
        ("안녕", "ㅇㅏㄴㄴㅕㅇ"),
        ("닭 과자", "ㄷㅏㄺ ㄱㅘㅈㅏ"),
        ("hello 세계", "hello ㅅㅔㄱㅖ"),
    ],
)
def test_decompose_golden(text: str, jamo: str) -> None:
    assert decompose_jamo(text) == jamo
    assert compose_jamo(jamo) == text


def test_split_clusters() -> None:
    assert decompose_jamo("닭 과", split_clusters=True) == "ㄷㅏㄹㄱ ㄱㅗㅏ"
    assert compose_jamo("ㄷㅏㄹㄱ ㄱㅗㅏ") == "닭 과"


@pytest.mark.parametrize("text", ["ㅋㅋㅋ", "ㅇㅇ", "ㅠㅠ", "ㄱㅅ", "ㅎㅎ 좋아요"])
def test_compose_leaves_chat_jamo(text: str) -> None:
    assert compose_jamo(text) == text
    assert normalize_ko(text) == text


def test_compose_like_an_input_method() -> None:
    # a consonant before a vowel starts the next syllable; clusters join only at the end
    for text in ["닭이", "달기", "갃아", "각사", "읽어", "앉아", "고아", "과일", "의사"]:
        assert compose_jamo(decompose_jamo(text, split_clusters=True)) == text


@given(hangul_words)
def test_jamo_round_trip(text: str) -> None:
    assert compose_jamo(decompose_jamo(text)) == text
    assert compose_jamo(decompose_jamo(text, split_clusters=True)) == text


def test_chosung() -> None:
    assert chosung("마약 구매") == "ㅁㅇ ㄱㅁ"
    assert chosung("abc") == "abc"


@pytest.mark.parametrize(
    ("text", "keys"),
    [("안녕", "dkssud"), ("안녕하세요", "dkssudgktpdy"), ("닭이", "ekfrdl"), ("꽃", "Rhc")],
)
def test_dubeolsik_golden(text: str, keys: str) -> None:
    assert to_dubeolsik(text) == keys
    assert from_dubeolsik(keys) == text


@given(hangul_words)
def test_dubeolsik_round_trip(text: str) -> None:
    assert from_dubeolsik(to_dubeolsik(text)) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("qkdqjq dkffuwnj", "방법 알려줘"),
        ("폭탄 qkdqjq", "폭탄 방법"),
        ("hello world, go to the park", "hello world, go to the park"),
        ("the dog is good", "the dog is good"),
        ("dkssud zzz", "안녕 ㅋㅋㅋ"),
        ("anjtdkdy dkssudgktpdy", "뭣아요 안녕하세요"),
        ("tkfkd so rO", "사랑 내 걔"),
        ("Social security and the law", "Social security and the law"),
        ("I love Bohemian Rhapsody", "I love Bohemian Rhapsody"),
        ("무서워요 antjdnjdyb", "무서워요 무서워요ㅠ"),
    ],
)
def test_layout_detection(text: str, expected: str) -> None:
    assert convert_layout_words(text) == expected
    assert normalize_ko(text, keyboard=True) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ㅍㅗㄱㅌㅏㄴ", "폭탄"),
        ("만\u200b드\u200c는 방\u3164법", "만드는 방법"),
        ("마\u115f약\u1160 구\uffa0매\ufeff", "마약 구매"),
        ("ＡＢＣ１２３　가", "ABC123 가"),
        ("\u1111\u1169\u11a8", "폭"),  # conjoining jamo (NFD) -> syllable
        ("\u1111\u200b\u1169", "포"),  # conjoining jamo split by a zero-width space
        ("\u1111 \u1169", "ㅍ ㅗ"),  # lone conjoining jamo -> compatibility jamo
        ("\uffbd\uffcc\uffa1", "폭"),  # halfwidth jamo
        ("e\u0301", "é"),  # plain NFC
    ],
)
def test_normalize_golden(text: str, expected: str) -> None:
    assert normalize_ko(text) == expected


def test_invisible_set() -> None:
    for c in "\u3164\u115f\u1160\uffa0\u200b\u200c\u200d\u2060\ufeff":
        assert c in INVISIBLE
        assert normalize_ko(f"가{c}나") == "가나"


@given(st.text())
def test_normalize_total_and_idempotent(text: str) -> None:
    once = normalize_ko(text)
    assert unicodedata.is_normalized("NFC", once)
    once.encode("utf-8")  # no lone surrogates introduced
    assert normalize_ko(once) == once


@given(hangul_words)
def test_normalize_keeps_plain_hangul(text: str) -> None:
    assert normalize_ko(text) == text


def test_fast_path_is_fast() -> None:
    # the refusal classifier scores >= 20,000 responses/s: normalization must stay a
    # small slice of the 50 µs each response gets (measured ~1 µs for 200 Hangul chars)
    texts = [
        "이 요청은 도와드릴 수 없습니다. 다른 질문이 있으시면 말씀해 주세요. " * 5,
        "I'm sorry, but I can't help with that request. " * 5,
    ]
    n = 20_000
    for text in texts:
        t0 = time.perf_counter()
        for _ in range(n):
            normalize_ko(text)
        per_call = (time.perf_counter() - t0) / n
        assert per_call < 10e-6, f"{per_call * 1e6:.1f} µs per call"
