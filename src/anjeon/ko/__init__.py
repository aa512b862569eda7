"""Korean text utilities: the normalizer, jamo composition, 두벌식 keyboard layout,
Revised Romanization.

``normalize_ko`` is the defensive pre-filter that the refusal classifier and the
``builtin/keyword-guard-normalized`` reference target use; the transforms use the rest.
"""

from anjeon.ko._jamo import (
    HANGUL,
    HANGUL_SYLLABLE,
    chosung,
    compose_jamo,
    compose_syllable,
    decompose_jamo,
    decompose_syllable,
    has_hangul,
    is_syllable,
)
from anjeon.ko._josa import attach_josa
from anjeon.ko._keyboard import convert_layout_words, from_dubeolsik, to_dubeolsik
from anjeon.ko._normalize import INVISIBLE, normalize_ko
from anjeon.ko._romanize import pronounce, romanize

__all__ = [
    "HANGUL",
    "HANGUL_SYLLABLE",
    "INVISIBLE",
    "attach_josa",
    "chosung",
    "compose_jamo",
    "compose_syllable",
    "convert_layout_words",
    "decompose_jamo",
    "decompose_syllable",
    "from_dubeolsik",
    "has_hangul",
    "is_syllable",
    "normalize_ko",
    "pronounce",
    "romanize",
    "to_dubeolsik",
]
