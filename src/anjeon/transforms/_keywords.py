"""Key words: what word-level transforms disguise. Salient words from ``keywords.yaml``
first (every occurrence), then the longest content words up to ``k`` in all."""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

from anjeon.transforms._core import load_data

_WORD = re.compile(r"[가-힣]+|[A-Za-z]+")
Span = tuple[int, int]


@cache
def _salient() -> re.Pattern[str]:
    data = load_data("keywords.yaml")
    words = sorted([*data["en"], *data["ko"]], key=len, reverse=True)
    ko = [re.escape(w) for w in words if not w.isascii()]
    en = [re.escape(w) for w in words if w.isascii()]
    return re.compile(r"(?i:\b(?:" + "|".join(en) + r")\b)|" + "|".join(ko))


@cache
def _stop() -> frozenset[str]:
    return frozenset(load_data("keywords.yaml")["stop"])


@cache
def _particles() -> list[str]:
    return sorted(load_data("keywords.yaml")["particles"], key=len, reverse=True)


def _stem(word: str) -> str:
    for p in _particles():
        if word.endswith(p) and len(word) - len(p) >= 2:
            return word[: -len(p)]
    return word


def key_spans(text: str, k: int = 2) -> list[Span]:
    """Spans of the key words, in text order and not overlapping."""
    spans = [m.span() for m in _salient().finditer(text)]
    taken = list(spans)
    stop = _stop()
    if len(spans) < k:
        candidates: list[Span] = []
        for m in _WORD.finditer(text):
            stem = _stem(m.group())
            if len(stem) >= 2 and stem.lower() not in stop and m.group().lower() not in stop:
                s = (m.start(), m.start() + len(stem))
                if not any(a < s[1] and s[0] < b for a, b in taken):
                    candidates.append(s)
        candidates.sort(key=lambda s: (s[0] - s[1], s[0]))  # longest first, then earliest
        spans += candidates[: k - len(spans)]
    return sorted(spans)


def replace_spans(text: str, spans: list[Span], fn: Callable[[str], str]) -> str:
    out, last = [], 0
    for a, b in spans:
        out += [text[last:a], fn(text[a:b])]
        last = b
    out.append(text[last:])
    return "".join(out)


def map_key_words(text: str, fn: Callable[[str], str], k: int = 2) -> str:
    """Apply ``fn`` to every key word of the text."""
    return replace_spans(text, key_spans(text, k), fn)
