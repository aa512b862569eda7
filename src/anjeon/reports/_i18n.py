"""UI strings in English and Korean, from ``data/strings.json``.

Static text goes into the page in both languages (``<span class="en">`` and
``<span class="ko">``) and the toggle only switches a class on ``<html>``, so the report
reads the same with or without scripts; the table's script takes its words from the
same file.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from markupsafe import Markup, escape

LANGS = ("en", "ko")
DATA = Path(__file__).parent / "data"


@cache
def strings() -> dict[str, dict[str, str]]:
    data: dict[str, dict[str, str]] = json.loads(
        (DATA / "strings.json").read_text(encoding="utf-8")
    )
    return data


def text(key: str, lang: str, **args: object) -> str:
    s = strings()[key][lang]
    return s.format(**args) if args else s


def t(key: str, **args: object) -> Markup:
    """Both languages of a UI string as two spans; the page's class shows one."""
    return both({lang: text(key, lang, **args) for lang in LANGS})


def both(texts: dict[str, str]) -> Markup:
    """Two spans from a mapping ``{"en": …, "ko": …}`` of plain (escaped here) text."""
    if texts["en"] == texts["ko"]:
        return Markup("{}").format(texts["en"])
    return Markup(
        '<span class="l-en" lang="en">{}</span><span class="l-ko" lang="ko">{}</span>'
    ).format(escape(texts["en"]), escape(texts["ko"]))
