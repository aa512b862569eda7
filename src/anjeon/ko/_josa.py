"""Korean particles (조사) that change with the last syllable of the word before them:
은/는, 이/가, 을/를, 과/와, 으로/로 and the copula forms (이었/였, 이에요/예요, 이라/라 …)."""

from __future__ import annotations

from anjeon.ko._jamo import decompose_syllable, is_syllable

# (after a final consonant, after a vowel); longer forms first so that 이었 wins over 이
_PAIRS = (
    ("이었", "였"),
    ("이에요", "예요"),
    ("이라", "라"),
    ("이랑", "랑"),
    ("이나", "나"),
    ("이고", "고"),
    ("이다", "다"),
    ("으로", "로"),
    ("은", "는"),
    ("이", "가"),
    ("을", "를"),
    ("과", "와"),
)
_FORMS = {form: pair for pair in _PAIRS for form in pair}


def _final(word: str) -> str | None:
    """The final consonant of the word's last syllable ('' for none), None if not Hangul."""
    last = word.rstrip()[-1:]
    if not last or not is_syllable(last):
        return None
    return decompose_syllable(last)[2]


def attach_josa(word: str, particle: str) -> str:
    """``word`` followed by ``particle`` in the form the word takes: ``attach_josa("할머니",
    "과")`` -> ``"할머니와"``. The particle may be given in either form; a particle or word
    this does not know (a non-Hangul ending) is attached as given."""
    for form in sorted(_FORMS, key=len, reverse=True):
        if particle.startswith(form):
            rest = particle[len(form) :]
            with_final, without = _FORMS[form]
            final = _final(word)
            if final is None:
                return word + particle
            if with_final == "으로":  # ㄹ-final words take 로 (서울로)
                chosen = without if final in ("", "ㄹ") else with_final
            else:
                chosen = with_final if final else without
            return word + chosen + rest
    return word + particle
