"""Korean word-level transforms: Hanja, code-switching, register shift, respelling."""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Literal

from anjeon.ko import compose_syllable, decompose_syllable, is_syllable, pronounce
from anjeon.transforms._core import Context, load_data, transform
from anjeon.transforms._keywords import map_key_words


def _replacer(table: Mapping[str, object]) -> re.Pattern[str]:
    return re.compile("|".join(re.escape(w) for w in sorted(table, key=len, reverse=True)))


@cache
def _hanja() -> tuple[dict[str, str], dict[str, str]]:
    table: dict[str, str] = load_data("hanja.yaml")
    return table, {v: k for k, v in table.items()}


def _from_hanja(text: str) -> str:
    back = _hanja()[1]
    return _replacer(back).sub(lambda m: back[m.group()], text)


@transform(
    "hanja",
    family="ko-lexical",
    locales=["ko"],
    reversible=True,
    inverse=_from_hanja,
    en="Sino-Korean words written in Hanja (폭탄 → 爆彈), from a table of common words",
    ko="한자어를 한자로 적음 (폭탄 → 爆彈), 자주 쓰는 낱말 표 기준",
)
def hanja(text: str, ctx: Context) -> str:
    table = _hanja()[0]
    return _replacer(table).sub(lambda m: table[m.group()], text)


@transform(
    "code-switch",
    family="ko-lexical",
    locales=["ko"],
    reversible=False,
    en="Key Korean words switched into English or Konglish (폭탄 → bomb / 밤)",
    ko="핵심 낱말을 영어나 콩글리시로 바꿔 씀 (폭탄 → bomb / 밤)",
)
def code_switch(text: str, ctx: Context, *, mode: Literal["en", "konglish"] = "en") -> str:
    gloss: dict[str, dict[str, str]] = load_data("glossary.yaml")
    return _replacer(gloss).sub(lambda m: gloss[m.group()][mode], text)


# -어 form of a verb stem's last syllable: 하 -> 해, 주 -> 줘, 보 -> 봐, 기다리 -> 기다려
_EO = {"ㅗ": "ㅘ", "ㅜ": "ㅝ", "ㅚ": "ㅙ", "ㅣ": "ㅕ", "ㅡ": "ㅓ"}
_SENTENCE_END = re.compile(r"([가-힣]+)(?=[.?!…~]|\s*$)", re.MULTILINE)


def _eo(syl: str) -> str:
    if syl == "하":
        return "해"
    ini, med, fin = decompose_syllable(syl)
    if fin:
        return syl + "어"
    if med in "ㅏㅓㅐㅔㅕ":
        return syl
    return compose_syllable(ini, _EO[med]) if med in _EO else syl + "어"


def _banmal_jamo(word: str) -> str | None:
    for ending in ("니다", "니까"):  # 합니다 -> 해, 갑니까 -> 가
        if word.endswith(ending) and len(word) > 2 and is_syllable(word[-3]):
            ini, med, fin = decompose_syllable(word[-3])
            if fin == "ㅂ":
                return word[:-3] + _eo(compose_syllable(ini, med))
    if word.endswith("세요") and len(word) > 2 and is_syllable(word[-3]):  # 가세요 -> 가
        return word[:-3] + _eo(word[-3])
    return None


def _jondaet_jamo(word: str) -> str | None:
    if word.endswith("다") and len(word) > 1 and is_syllable(word[-2]):  # 한다 -> 합니다
        ini, med, fin = decompose_syllable(word[-2])
        if fin == "ㄴ":
            return word[:-2] + compose_syllable(ini, med, "ㅂ") + "니다"
        if fin:
            return word[:-1] + "습니다"
        return word[:-2] + compose_syllable(ini, med, "ㅂ") + "니다"
    return None


def shift_register(text: str, to: Literal["banmal", "jondaetmal"]) -> str:
    rules = load_data("register.yaml")["to_" + to]
    endings: list[list[str]] = sorted(rules["endings"], key=lambda r: -len(r[0]))
    words = dict(rules["words"])
    jamo_rule = _banmal_jamo if to == "banmal" else _jondaet_jamo

    def end(m: re.Match[str]) -> str:
        w = m.group(1)
        if to == "jondaetmal" and w.endswith(("요", "니다", "니까")):
            return w  # already polite
        for old, new in endings:
            if len(old) == 1 and (j := jamo_rule(w)) is not None:
                return j  # the jamo rules go before the one-syllable fallbacks
            if w.endswith(old) and (len(w) > len(old) or new):
                return w[: len(w) - len(old)] + new
        return jamo_rule(w) or w

    out = _SENTENCE_END.sub(end, text)
    return re.sub(
        r"(?<![가-힣])(" + "|".join(map(re.escape, words)) + r")(?![가-힣])",
        lambda m: words[m.group()],
        out,
    )


@transform(
    "register",
    family="ko-lexical",
    locales=["ko"],
    reversible=False,
    en="Register shift between polite 존댓말 and casual 반말 (알려주세요 ↔ 알려줘)",
    ko="존댓말과 반말을 서로 바꿈 (알려주세요 ↔ 알려줘)",
)
def register(
    text: str, ctx: Context, *, to: Literal["auto", "banmal", "jondaetmal"] = "auto"
) -> str:
    if to == "auto":  # flip: polite text goes casual, casual text goes polite
        polite = re.search(r"(요|니다|니까)(?=[.?!…~]|\s*$)", text, re.MULTILINE)
        to = "banmal" if polite else "jondaetmal"
    return shift_register(text, to)


def _tense(word: str) -> str:
    tense = {"ㄱ": "ㄲ", "ㄷ": "ㄸ", "ㅂ": "ㅃ", "ㅅ": "ㅆ", "ㅈ": "ㅉ"}
    if not word or not is_syllable(word[0]):
        return word
    ini, med, fin = decompose_syllable(word[0])
    return compose_syllable(tense.get(ini, ini), med, fin) + word[1:]


@transform(
    "respell",
    family="ko-lexical",
    locales=["ko"],
    reversible=False,
    en="Phonological respelling: written as pronounced (폭탄을 → 폭타늘, 학교 → 학꾜) "
    "and 된소리 on key words (방법 → 빵법)",
    ko="소리 나는 대로 적고(폭탄을 → 폭타늘, 학교 → 학꾜) 핵심어를 된소리로 바꿈(방법 → 빵법)",
)
def respell(
    text: str, ctx: Context, *, mode: Literal["pronounced", "tense", "mixed"] = "mixed"
) -> str:
    out = text
    if mode in ("tense", "mixed"):
        out = map_key_words(out, _tense, k=3)
    if mode in ("pronounced", "mixed"):
        out = pronounce(out)
    return out
