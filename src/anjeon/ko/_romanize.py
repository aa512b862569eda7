"""Revised Romanization of Korean (국어의 로마자 표기법, 2000), implemented from the rules.

The sound changes of 제3장 제1항 are applied within a word by rule: liaison (연음),
palatalization (ㄷ,ㅌ + 이), aspiration around ㅎ, nasalization, and the ㄹ rules.
Tensing is not written (제1항 붙임). Changes that depend on the lexicon — ㄴ insertion
(학여울 Hangnyeoul, 알약 allyak) and ㄴ+ㄹ read as ㄴㄴ in some compounds (신문로
Sinmunno) — cannot be derived from spelling and come out as the regular rule gives.
The noun exception for ㄱ,ㄷ,ㅂ + ㅎ (묵호 Mukho) is approximated: aspiration applies
before the verb suffixes 히/혀 only.
"""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files
from itertools import pairwise
from typing import TypedDict

from anjeon.ko._jamo import decompose_syllable

_RUN = re.compile("[\uac00-\ud7a3]+")
Syl = list[str]  # [initial, medial, final]

_K = set("ㄱㄲㅋㄳㄺ")
_T = set("ㄷㅅㅆㅈㅊㅌㅎ")
_P = set("ㅂㅍㄼㄿㅄ")
_ASPIRATE = {"ㄱ": "ㅋ", "ㄷ": "ㅌ", "ㅈ": "ㅊ", "ㅂ": "ㅍ"}
# final -> (what stays, what moves to a following silent ㅇ)
_LIAISON = {
    "ㄳ": ("ㄱ", "ㅅ"), "ㄵ": ("ㄴ", "ㅈ"), "ㄶ": ("", "ㄴ"), "ㄺ": ("ㄹ", "ㄱ"),
    "ㄻ": ("ㄹ", "ㅁ"), "ㄼ": ("ㄹ", "ㅂ"), "ㄽ": ("ㄹ", "ㅅ"), "ㄾ": ("ㄹ", "ㅌ"),
    "ㄿ": ("ㄹ", "ㅍ"), "ㅀ": ("", "ㄹ"), "ㅄ": ("ㅂ", "ㅅ"), "ㅎ": ("", ""), "ㅇ": ("ㅇ", ""),
}  # fmt: skip
_H_DROP = {"ㅎ": "", "ㄶ": "ㄴ", "ㅀ": "ㄹ"}


class _Tables(TypedDict):
    """``data/romanization.json``: jamo -> Latin letters, and the word lists."""

    _comment: str
    initial: dict[str, str]
    vowel: dict[str, str]
    final: dict[str, str]
    translit_initial: dict[str, str]
    translit_final: dict[str, str]
    surnames2: list[str]
    place_units: list[str]


@cache
def _data() -> _Tables:
    import json

    text = files("anjeon.ko").joinpath("data/romanization.json").read_text(encoding="utf-8")
    loaded: _Tables = json.loads(text)
    return loaded


def _verb_suffix(s: Syl) -> bool:
    """히, 힌, 힐, 힘, 혀, 혔: passive and causative suffixes, where ㄱ,ㄷ,ㅂ + ㅎ aspirate."""
    return s[0] == "ㅎ" and (s[1] == "ㅣ" or (s[1] == "ㅕ" and s[2] in ("", "ㅆ")))


def _sound_changes(syls: list[Syl]) -> None:
    for a, b in pairwise(syls):
        f, i = a[2], b[0]
        if not f:
            continue
        if i == "ㅇ":  # liaison, and palatalization of ㄷ,ㅌ before 이
            stay, move = _LIAISON.get(f, ("", f))
            if move:
                a[2], b[0] = stay, move
                if b[1] == "ㅣ" and move in ("ㄷ", "ㅌ"):
                    b[0] = "ㅈ" if move == "ㄷ" else "ㅊ"
            else:
                a[2] = stay
            continue
        if f in _H_DROP and i in _ASPIRATE:  # 좋고 -> 조코
            a[2], b[0] = _H_DROP[f], _ASPIRATE[i]
            continue
        if f in _H_DROP and i in ("ㅅ", "ㄴ"):
            a[2] = _H_DROP[f] or ("ㄴ" if i == "ㄴ" else "")
            continue
        if i == "ㅎ" and _verb_suffix(b) and (f in _K or f in _P or f in ("ㄷ", "ㅈ")):
            base = "ㄱ" if f in _K else "ㅂ" if f in _P else "ㄷ"
            a[2] = {"ㄺ": "ㄹ", "ㄼ": "ㄹ"}.get(f, "")
            b[0] = "ㅊ" if base == "ㄷ" and b[1] == "ㅣ" else _ASPIRATE[base]
            continue
        # ㄹ rules: ㄴ+ㄹ and ㄹ+ㄴ -> ㄹㄹ; ㄹ after any other consonant -> ㄴ
        if (f, i) == ("ㄴ", "ㄹ") or (f in ("ㄹ", "ㄾ", "ㅀ") and i == "ㄴ"):
            a[2] = "ㄹ" if f == "ㄴ" else f
            b[0] = "ㄹ"
            continue
        if i == "ㄹ" and f not in ("ㄹ", "ㄴ"):
            b[0] = i = "ㄴ"
        if i in ("ㄴ", "ㅁ"):  # nasalization
            if f in _K:
                a[2] = "ㅇ"
            elif f in _T:
                a[2] = "ㄴ"
            elif f in _P:
                a[2] = "ㅁ"


def _rr_word(word: str, changes: bool) -> list[str]:
    d = _data()
    syls = [list(decompose_syllable(c)) for c in word]
    if changes:
        _sound_changes(syls)
    out: list[str] = []
    prev_final = ""
    for ini, med, fin in syls:
        r = d["initial"][ini]
        if ini == "ㄹ" and prev_final == "ㄹ":
            r = "l"
        out.append(r + d["vowel"][med] + (d["final"][fin] if fin else ""))
        prev_final = fin
    return out


_VOWEL_PAIRS = ("ae", "eo", "eu", "oe", "ui", "ae", "ya", "yo", "yu", "ye", "wa", "we", "wi", "wo")


def _ambiguous(left: str, right: str) -> bool:
    """Whether the joint could be read another way (해운대 haeundae: hae-un or ha-eun)."""
    if right[:1] in "aeiouwy" and left[-1:] in "aeiou":
        return left[-1] + right[0] in _VOWEL_PAIRS
    if left.endswith("ng") and right[:1] in "aeiouwy":
        return True
    return left.endswith("n") and right.startswith("g")


def _join(parts: list[str], hyphen: bool) -> str:
    if not parts:
        return ""
    out = parts[0]
    for p in parts[1:]:
        out += ("-" if hyphen and _ambiguous(out, p) else "") + p
    return out


def _translit_word(word: str) -> str:
    d = _data()
    ini_l = {**d["initial"], **d["translit_initial"]}
    fin_l: dict[str, str] = d["translit_final"]
    finals, inits = set(fin_l.values()) | {""}, set(ini_l.values()) - {""}
    out = ""
    for k, c in enumerate(word):
        ini, med, fin = decompose_syllable(c)
        head = ini_l[ini]
        if k and (not head or _split_other_way(out, head, finals, inits)):
            out += "-"
        out += head + d["vowel"][med] + fin_l.get(fin, "")
    return out


def _split_other_way(left: str, head: str, finals: set[str], inits: set[str]) -> bool:
    tail = next((t for t in sorted(finals, key=len, reverse=True) if left.endswith(t)), "")
    joint = tail + head
    return any(
        joint[:n] in finals and joint[n:] in inits for n in range(len(joint) + 1) if n != len(tail)
    )


def romanize(
    text: str,
    *,
    hyphen: bool = False,
    capitalize: bool = False,
    name: bool = False,
    place: bool = False,
    transliterate: bool = False,
) -> str:
    """Romanize the Hangul of ``text`` (other characters are kept as they are).

    ``hyphen``: a hyphen where syllables could be misread (중앙 Jung-ang, 제3장 제2항);
    ``capitalize``: proper nouns (제3항); ``name``: personal names, surname apart and no
    sound change in the given name (제4항, 한복남 Han Boknam); ``place``: administrative
    units after a hyphen (제5항, 인왕리 Inwang-ri); ``transliterate``: the letter-by-letter
    transliteration of 제8항 for scholarly use (없었습니다 eobs-eoss-seubnida).
    """

    def word(m: re.Match[str]) -> str:
        w = m.group()
        if transliterate:
            return _translit_word(w)
        if name and len(w) >= 2:
            n = 2 if w[:2] in _data()["surnames2"] and len(w) >= 3 else 1
            sur, given = _rr_word(w[:n], False), _rr_word(w[n:], False)
            joined = "-".join(given) if hyphen else "".join(given)
            return f"{''.join(sur).capitalize()} {joined.capitalize()}"
        unit = ""
        if place and len(w) >= 3 and w[-1] in _data()["place_units"]:
            w, unit = w[:-1], "-" + "".join(_rr_word(w[-1], False))
        r = _join(_rr_word(w, True), hyphen) + unit
        return r.capitalize() if capitalize else r

    return _RUN.sub(word, text)


_NEUTRAL = {
    **dict.fromkeys("ㄱㄲㅋㄳㄺ", "ㄱ"), **dict.fromkeys("ㄷㅅㅆㅈㅊㅌㅎ", "ㄷ"),
    **dict.fromkeys("ㅂㅍㄿㅄ", "ㅂ"), "ㄵ": "ㄴ", "ㄶ": "ㄴ", "ㄻ": "ㅁ",
    **dict.fromkeys("ㄼㄽㄾㅀ", "ㄹ"),
}  # fmt: skip
_TENSE = {"ㄱ": "ㄲ", "ㄷ": "ㄸ", "ㅂ": "ㅃ", "ㅅ": "ㅆ", "ㅈ": "ㅉ"}


def _pronounce_word(word: str) -> str:
    from anjeon.ko._jamo import compose_syllable

    syls = [list(decompose_syllable(c)) for c in word]
    _sound_changes(syls)
    for k, s in enumerate(syls):
        if s[2]:
            s[2] = _NEUTRAL.get(s[2], s[2])
            if k + 1 < len(syls) and s[2] in "ㄱㄷㅂ":  # tensing after an obstruent
                nxt = syls[k + 1]
                nxt[0] = _TENSE.get(nxt[0], nxt[0])
    return "".join(compose_syllable(*s) for s in syls)


def pronounce(text: str) -> str:
    """Respell Hangul as it is pronounced, within each word (폭탄을 -> 폭타늘, 학교 -> 학꾜,
    같이 -> 가치): the sound changes above, final neutralization and tensing after
    obstruents. An approximation of 표준 발음법 from spelling alone."""
    return _RUN.sub(lambda m: _pronounce_word(m.group()), text)
