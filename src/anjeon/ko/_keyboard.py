"""두벌식 keyboard layout: Hangul typed with the IME switched off (안녕 -> dkssud) and back."""

from __future__ import annotations

import re
from functools import cache
from importlib.resources import files

from anjeon.ko._jamo import compose_jamo, data, decompose_jamo, is_syllable

_LATIN_WORD = re.compile(r"[A-Za-z]+")


@cache
def _key_to_jamo() -> dict[str, str]:
    table: dict[str, str] = dict(data()["dubeolsik"])
    for k, v in list(table.items()):
        if k.islower() and k.upper() not in table:
            table[k.upper()] = v  # without Shift meaning, capitals type the same jamo
    return table


@cache
def _jamo_to_key() -> dict[str, str]:
    # a lower-case key wins over its unshifted capital twin
    out: dict[str, str] = {}
    for k, v in data()["dubeolsik"].items():
        out.setdefault(v, k)
    return out


@cache
def _english_words() -> frozenset[str]:
    text = files("anjeon.ko").joinpath("data/en_common.txt").read_text(encoding="utf-8")
    lines = (ln for ln in text.splitlines() if not ln.startswith("#"))
    return frozenset(w for ln in lines for w in ln.split())


def to_dubeolsik(text: str) -> str:
    """Type Hangul on a 두벌식 keyboard with the Korean input off: ``'안녕'`` -> ``'dkssud'``."""
    keys = _jamo_to_key()
    return "".join(keys.get(c, c) for c in decompose_jamo(text, split_clusters=True))


def from_dubeolsik(text: str) -> str:
    """Read Latin letters as 두벌식 keystrokes: ``'dkssud'`` -> ``'안녕'`` (everything converts)."""
    table = _key_to_jamo()
    return compose_jamo("".join(table.get(c, c) for c in text))


def _parses(word: str) -> str | None:
    """The Hangul a Latin word types, if it types only whole syllables."""
    hangul = from_dubeolsik(word)
    return hangul if all(is_syllable(c) for c in hangul) else None


def convert_layout_words(text: str) -> str:
    """Convert only the Latin words that look like Hangul typed on a 두벌식 keyboard.

    A word qualifies when its keystrokes form whole Hangul syllables and it is not a
    common English word. When most of the text's other Latin words qualify too the text
    is taken as layout-typed and every qualifying word converts; otherwise only words of
    three syllables or more do (short English words like "world" -> 재깅 parse by chance).
    """
    words = _LATIN_WORD.findall(text)
    if not words:
        return text
    english = _english_words()
    candidates = [w for w in words if w.lower() not in english]
    parsed = {w: h for w in candidates if (h := _parses(w)) is not None}
    if not parsed:
        return text
    whole_text = len(parsed) >= 0.6 * len(candidates)

    def repl(m: re.Match[str]) -> str:
        w = m.group()
        h = parsed.get(w)
        if h is None or not (whole_text or len(h) >= 3):
            return w
        return h

    return _LATIN_WORD.sub(repl, text)
