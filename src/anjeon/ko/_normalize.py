"""``normalize_ko``: undo the Korean-script disguises that can be undone.

The refusal classifier calls this on every response, so the common case — text with
none of the characters the slow path rewrites — must cost one regex scan and an NFC
check, nothing more.
"""

from __future__ import annotations

import re
import unicodedata

from anjeon.ko._jamo import CONJOINING_TO_COMPAT, compose_jamo
from anjeon.ko._keyboard import convert_layout_words

# invisible characters that attacks put inside words: Hangul fillers, zero-width
# characters, word joiner, BOM, soft hyphen, invisible operators
INVISIBLE = (
    "\u3164\u115f\u1160\uffa0\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e\u2061\u2062\u2063\u2064"
)

_TABLE: dict[int, str | None] = {ord(c): None for c in INVISIBLE}
_TABLE.update({cp: chr(cp - 0xFEE0) for cp in range(0xFF01, 0xFF5F)})  # fullwidth ASCII
_TABLE[0x3000] = " "  # ideographic space
for _cp in range(0xFFA1, 0xFFDD):  # halfwidth jamo -> compatibility jamo
    _name = unicodedata.name(chr(_cp), "")
    if _name.startswith("HALFWIDTH HANGUL LETTER"):
        _TABLE[_cp] = unicodedata.lookup(_name.replace("HALFWIDTH ", ""))

# everything the slow path may rewrite: the table's keys, conjoining and compatibility jamo
_TRIGGER = re.compile(
    "[" + re.escape(INVISIBLE) + "\uff01-\uff5e\u3000\uffa1-\uffdc\u1100-\u11ff\u3131-\u318e"
    "\ua960-\ua97f\ud7b0-\ud7ff]"
)
_CONJOINING = re.compile("[\u1100-\u11ff]")


def normalize_ko(text: str, *, keyboard: bool = False) -> str:
    """Normalize Korean text for matching: NFC, invisible characters and Hangul fillers
    removed, decomposed jamo recomposed (ㅇㅏㄴㄴㅕㅇ -> 안녕), fullwidth to ASCII.

    ``keyboard=True`` also converts Latin words that look like Hangul typed on a 두벌식
    keyboard (dkssud -> 안녕); it is opt-in because it costs a pass over every Latin word
    and can misread rare English words.
    """
    if text.isascii():
        return convert_layout_words(text) if keyboard else text
    if _TRIGGER.search(text) is None:
        out = text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)
    else:
        out = unicodedata.normalize("NFC", text.translate(_TABLE))
        if _CONJOINING.search(out):  # leftover conjoining jamo that NFC could not join
            out = out.translate(CONJOINING_TO_COMPAT)
        out = compose_jamo(out)
    return convert_layout_words(out) if keyboard else out
