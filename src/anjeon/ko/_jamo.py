"""Hangul syllables and jamo by Unicode arithmetic.

A precomposed syllable is ``0xAC00 + (initial * 21 + medial) * 28 + final``. Jamo are
handled as *compatibility* jamo (U+3131..U+318E, what people type and what
decomposition attacks use); the conjoining jamo (U+1100..) are mapped onto them. The
compatibility letters are found from the conjoining ones by their Unicode names, so no
hand-typed table can drift from the standard.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache
from importlib.resources import files
from typing import Literal, TypedDict

SBASE, SCOUNT = 0xAC00, 11172
NMEDIAL, NFINAL = 21, 28


def _letters(base: int, n: int, word: str) -> tuple[str, ...]:
    return tuple(
        unicodedata.lookup(unicodedata.name(chr(base + i)).replace(word, "LETTER"))
        for i in range(n)
    )


INITIALS = _letters(0x1100, 19, "CHOSEONG")
MEDIALS = _letters(0x1161, 21, "JUNGSEONG")
FINALS = ("", *_letters(0x11A8, 27, "JONGSEONG"))

_INI = {c: i for i, c in enumerate(INITIALS)}
_MED = {c: i for i, c in enumerate(MEDIALS)}
_FIN = {c: i for i, c in enumerate(FINALS) if c}


class JamoData(TypedDict):
    """``data/jamo.json``: cluster jamo -> its two parts, and the 2-beolsik keyboard."""

    _comment: str
    vowel_clusters: dict[str, str]
    final_clusters: dict[str, str]
    dubeolsik: dict[str, str]


@cache
def data() -> JamoData:
    text = files("anjeon.ko").joinpath("data/jamo.json").read_text(encoding="utf-8")
    loaded: JamoData = json.loads(text)
    return loaded


def _clusters(key: Literal["vowel_clusters", "final_clusters"]) -> dict[tuple[str, str], str]:
    return {(parts[0], parts[1]): whole for whole, parts in data()[key].items()}


VOWEL_CLUSTERS = _clusters("vowel_clusters")
FINAL_CLUSTERS = _clusters("final_clusters")
SPLIT = {whole: a + b for (a, b), whole in {**VOWEL_CLUSTERS, **FINAL_CLUSTERS}.items()}

# conjoining jamo (modern ones) -> compatibility jamo
CONJOINING_TO_COMPAT: dict[int, str] = {
    **{0x1100 + i: c for i, c in enumerate(INITIALS)},
    **{0x1161 + i: c for i, c in enumerate(MEDIALS)},
    **{0x11A8 + i: c for i, c in enumerate(FINALS[1:])},
}


def is_syllable(ch: str) -> bool:
    return SBASE <= ord(ch) < SBASE + SCOUNT


def is_consonant(ch: str) -> bool:
    return ch in _INI or ch in _FIN


def is_vowel(ch: str) -> bool:
    return ch in _MED


def decompose_syllable(ch: str) -> tuple[str, str, str]:
    """``'닭'`` -> ``('ㄷ', 'ㅏ', 'ㄺ')``; the final is ``''`` when there is none."""
    s = ord(ch) - SBASE
    if not 0 <= s < SCOUNT:
        raise ValueError(f"not a Hangul syllable: {ch!r}")
    return INITIALS[s // (NMEDIAL * NFINAL)], MEDIALS[s // NFINAL % NMEDIAL], FINALS[s % NFINAL]


def compose_syllable(initial: str, medial: str, final: str = "") -> str:
    """``('ㄷ', 'ㅏ', 'ㄺ')`` -> ``'닭'``; raises ValueError on a jamo that cannot go there."""
    try:
        i, m = _INI[initial], _MED[medial]
        f = _FIN[final] if final else 0
    except KeyError as e:
        raise ValueError(f"cannot compose {initial!r}+{medial!r}+{final!r}") from e
    return chr(SBASE + (i * NMEDIAL + m) * NFINAL + f)


def decompose_jamo(text: str, *, split_clusters: bool = False) -> str:
    """Every syllable to compatibility jamo: ``'안녕'`` -> ``'ㅇㅏㄴㄴㅕㅇ'``.

    With ``split_clusters`` the double vowels and double finals are split too
    (``'닭'`` -> ``'ㄷㅏㄹㄱ'``), which is how they are typed.
    """
    out: list[str] = []
    for ch in text:
        if is_syllable(ch):
            for j in decompose_syllable(ch):
                out.append(SPLIT.get(j, j) if split_clusters else j)
        elif split_clusters and ch in SPLIT:
            out.append(SPLIT[ch])
        else:
            out.append(ch)
    return "".join(out)


def chosung(text: str) -> str:
    """Initial consonants of every syllable (초성): ``'마약'`` -> ``'ㅁㅇ'``."""
    return "".join(decompose_syllable(c)[0] if is_syllable(c) else c for c in text)


def _vowel_at(run: str, i: int) -> tuple[str, int]:
    """The vowel starting at ``run[i]`` (joining a double vowel) and its length."""
    if i + 1 < len(run) and (run[i], run[i + 1]) in VOWEL_CLUSTERS:
        return VOWEL_CLUSTERS[run[i], run[i + 1]], 2
    return run[i], 1


def _compose_run(run: str) -> str:
    """Compose one run of compatibility jamo the way a 두벌식 input method does."""
    out: list[str] = []
    n, i = len(run), 0

    def vowel(k: int) -> bool:
        return k < n and run[k] in _MED

    while i < n:
        c = run[i]
        if c not in _INI or not vowel(i + 1):
            out.append(c)
            i += 1
            continue
        med, used = _vowel_at(run, i + 1)
        i += 1 + used
        fin = ""
        if i < n and run[i] in _FIN and not vowel(i + 1):
            fin = run[i]
            i += 1
            if i < n and (fin, run[i]) in FINAL_CLUSTERS and not vowel(i + 1):
                fin = FINAL_CLUSTERS[fin, run[i]]
                i += 1
        out.append(compose_syllable(c, med, fin))
    return "".join(out)


def compose_jamo(text: str) -> str:
    """Recompose runs of compatibility jamo: ``'ㅇㅏㄴㄴㅕㅇ'`` -> ``'안녕'``.

    Runs without a vowel (``'ㅋㅋㅋ'``, ``'ㅇㅇ'``) and lone vowels (``'ㅠㅠ'``) stay as they are.
    """
    return _JAMO_RUN.sub(lambda m: _compose_run(m.group()), text)


_JAMO_RUN = re.compile("[\u3131-\u3163]{2,}")


#: Hangul syllables, conjoining jamo and compatibility jamo: a jamo-decomposed text
#: ("ㅍㅗㄱㅌㅏㄴ") still counts as Korean. ``HANGUL.search(text, 0, n)`` looks at a window.
HANGUL = re.compile("[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
#: Hangul syllables only (for text already normalized, where jamo were recomposed).
HANGUL_SYLLABLE = re.compile("[\uac00-\ud7a3]")


def has_hangul(text: str) -> bool:
    """True when the text has any Hangul (syllables or jamo)."""
    return HANGUL.search(text) is not None
