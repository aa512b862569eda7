"""Korean-script transforms: the same words, written so a filter no longer sees them."""

from __future__ import annotations

import re
from functools import cache
from typing import Literal

from anjeon import ko
from anjeon.ko import (
    INVISIBLE,
    compose_jamo,
    compose_syllable,
    decompose_jamo,
    decompose_syllable,
    from_dubeolsik,
    is_syllable,
    to_dubeolsik,
)
from anjeon.transforms._core import Context, load_data, transform
from anjeon.transforms._keywords import map_key_words

FILLERS = "\u3164\u115f\u1160\uffa0\u200b\ufeff"
_HANGUL_GAP = re.compile("(?<=[\uac00-\ud7a3])(?=[\uac00-\ud7a3])")
_HANGUL_WORD = re.compile("[\uac00-\ud7a3]{2,}")


@transform(
    "jamo",
    family="ko-script",
    locales=["ko"],
    reversible=True,
    inverse=compose_jamo,
    en="Hangul syllables decomposed into compatibility jamo (폭탄 → ㅍㅗㄱㅌㅏㄴ)",
    ko="한글 음절을 호환용 자모로 풀어 씀 (폭탄 → ㅍㅗㄱㅌㅏㄴ)",
)
def jamo(
    text: str, ctx: Context, *, scope: Literal["all", "key"] = "all", split_clusters: bool = False
) -> str:
    def dec(t: str) -> str:
        return decompose_jamo(t, split_clusters=split_clusters)

    return dec(text) if scope == "all" else map_key_words(text, dec)


@transform(
    "chosung",
    family="ko-script",
    locales=["ko"],
    reversible=False,
    en="Key words abbreviated to their initial consonants, 초성 (마약 → ㅁㅇ)",
    ko="핵심어를 초성으로 줄여 씀 (마약 → ㅁㅇ)",
)
def chosung(text: str, ctx: Context, *, k: int = 2) -> str:
    return map_key_words(text, ko.chosung, k)


@cache
def _yamin() -> dict[str, str]:
    data = load_data("yaminjeongeum.yaml")
    table: dict[str, str] = {}
    for a, b in data["pairs"]:
        table[a], table[b] = b, a
    for a, b in data["syllables"]:
        table[a], table[b] = b, a
    return table


def _yamin_syllable(c: str) -> str:
    table = _yamin()
    if c in table:
        return table[c]
    if not is_syllable(c):
        return c
    ini, med, fin = decompose_syllable(c)
    swap = table.get(ini + med)
    return compose_syllable(swap[0], swap[1], fin) if swap else c


def _yamin_all(text: str) -> str:
    return "".join(_yamin_syllable(c) for c in text)


@transform(
    "yaminjeongeum",
    family="ko-script",
    locales=["ko"],
    reversible=True,
    inverse=_yamin_all,
    en="야민정음: look-alike syllables swapped (대 ↔ 머, 명 ↔ 띵, 비 ↔ 네, 귀 ↔ 커)",
    ko="야민정음: 모양이 비슷한 글자로 바꿈 (대 ↔ 머, 명 ↔ 띵, 비 ↔ 네, 귀 ↔ 커)",
)
def yaminjeongeum(text: str, ctx: Context, *, ratio: float = 1.0) -> str:
    if ratio >= 1:
        return _yamin_all(text)
    return "".join(_yamin_syllable(c) if ctx.rng.random() < ratio else c for c in text)


def _strip_invisible(text: str) -> str:
    return text.translate({ord(c): None for c in INVISIBLE})


@transform(
    "fillers",
    family="ko-script",
    locales=["ko"],
    reversible=True,
    inverse=_strip_invisible,
    en="Hangul fillers and zero-width characters inside words (U+3164, U+115F, U+1160, "
    "U+FFA0, U+200B, U+FEFF)",
    ko="단어 안에 한글 채움 문자와 폭 없는 문자를 넣음 (U+3164, U+115F, U+1160, U+FFA0, "
    "U+200B, U+FEFF)",
)
def fillers(text: str, ctx: Context, *, ratio: float = 0.0, chars: str = FILLERS) -> str:
    """One filler at a random gap inside every Hangul word, plus ``ratio`` of the other gaps."""

    def word(m: re.Match[str]) -> str:
        w = m.group()
        sure = ctx.rng.randrange(1, len(w))
        out = [w[0]]
        for k in range(1, len(w)):
            if k == sure or (ratio > 0 and ctx.rng.random() < ratio):
                out.append(ctx.rng.choice(chars))
            out.append(w[k])
        return "".join(out)

    return _HANGUL_WORD.sub(word, text)


@transform(
    "spacing-remove",
    family="ko-script",
    locales=["ko"],
    reversible=False,
    en="Every space removed (띄어쓰기 없이)",
    ko="띄어쓰기를 모두 없앰",
)
def spacing_remove(text: str, ctx: Context) -> str:
    return re.sub(r"[ \t\u3000]+", "", text) or text


@transform(
    "spacing-split",
    family="ko-script",
    locales=["ko"],
    reversible=False,
    en="Spaces inserted between the syllables of Hangul words (폭 탄 을)",
    ko="한글 단어의 음절 사이에 띄어쓰기를 넣음 (폭 탄 을)",
)
def spacing_split(text: str, ctx: Context, *, ratio: float = 1.0) -> str:
    def gap(_: re.Match[str]) -> str:
        return " " if ratio >= 1 or ctx.rng.random() < ratio else ""

    return _HANGUL_GAP.sub(gap, text)


@transform(
    "romanize",
    family="ko-script",
    locales=["ko"],
    reversible=False,
    en="Hangul in Revised Romanization (폭탄 → poktan), sound changes applied",
    ko="국어의 로마자 표기법으로 적음 (폭탄 → poktan), 음운 변화 반영",
)
def romanize(text: str, ctx: Context, *, transliterate: bool = False) -> str:
    return ko.romanize(text, transliterate=transliterate)


@transform(
    "keyboard",
    family="ko-script",
    locales=["ko"],
    reversible=True,
    inverse=from_dubeolsik,
    en="Hangul typed on a 두벌식 keyboard with the Korean input off (안녕 → dkssud)",
    ko="한/영 전환 없이 두벌식 자판으로 친 글자 (안녕 → dkssud)",
)
def keyboard(text: str, ctx: Context, *, scope: Literal["all", "key"] = "all") -> str:
    return to_dubeolsik(text) if scope == "all" else map_key_words(text, to_dubeolsik)
