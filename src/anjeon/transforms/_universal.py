"""Universal transforms: encodings and character-level obfuscation."""

from __future__ import annotations

import base64 as b64
import codecs
import re
from functools import cache

from anjeon.ko import INVISIBLE
from anjeon.transforms._core import Context, load_data, transform

ZERO_WIDTH = "\u200b\u200c\u200d\u2060"
_INNER_GAP = re.compile(r"(?<=\S)(?=\S)")


def wrap(ctx: Context, key: str, variant: int | None = None, **fields: str) -> str:
    """A template of ``templates.yaml`` in the item's language, picked by the seed."""
    options: list[str] = load_data("templates.yaml")[key][ctx.lang]
    i = ctx.rng.randrange(len(options)) if variant is None else variant % len(options)
    return options[i].format(**fields)


def payload(text: str) -> str:
    """The payload of a wrapped encoding: what follows the instruction's blank line."""
    return text.split("\n\n", 1)[1] if "\n\n" in text else text


def _unb64(text: str) -> str:
    return b64.b64decode(payload(text)).decode("utf-8")


@transform(
    "base64",
    family="encoding",
    locales=["*"],
    reversible=True,
    inverse=_unb64,
    en="UTF-8 text as Base64, with an instruction to decode and answer",
    ko="UTF-8 텍스트를 Base64로 인코딩하고, 디코딩해서 답하라는 지시를 붙임",
)
def base64_(text: str, ctx: Context, *, plain: bool = False) -> str:
    encoded = b64.b64encode(text.encode("utf-8")).decode("ascii")
    return encoded if plain else wrap(ctx, "base64", payload=encoded)


def _unrot13(text: str) -> str:
    return codecs.encode(payload(text), "rot13")


@transform(
    "rot13",
    family="encoding",
    locales=["en"],
    reversible=True,
    inverse=_unrot13,
    en="Latin letters rotated by 13, with an instruction to decode and answer",
    ko="라틴 문자를 알파벳 순서로 13자씩 밀어 쓰고(ROT13), 풀어서 답하라는 지시를 붙임",
)
def rot13(text: str, ctx: Context, *, plain: bool = False) -> str:
    encoded = codecs.encode(text, "rot13")
    return encoded if plain else wrap(ctx, "rot13", payload=encoded)


@cache
def _table(name: str) -> dict[str, str]:
    table: dict[str, str] = load_data("characters.yaml")[name]
    return table


def _swap(text: str, ctx: Context, table: dict[str, str], ratio: float) -> str:
    return "".join(
        table[c] if c in table and (ratio >= 1 or ctx.rng.random() < ratio) else c for c in text
    )


@transform(
    "leetspeak",
    family="character",
    locales=["en"],
    reversible=False,
    en="Letters replaced by look-alike digits (leet → 1337)",
    ko="라틴 문자를 모양이 비슷한 숫자로 바꿈 (leet → 1337)",
)
def leetspeak(text: str, ctx: Context, *, ratio: float = 1.0) -> str:
    table = _table("leetspeak")
    table = {**table, **{k.upper(): v for k, v in table.items()}}
    return _swap(text, ctx, table, ratio)


def _unconfuse(text: str) -> str:
    back = {v: k for k, v in _table("confusables").items()}
    return "".join(back.get(c, c) for c in text)


@transform(
    "confusables",
    family="character",
    locales=["en"],
    reversible=True,
    inverse=_unconfuse,
    en="Latin letters replaced by Cyrillic and Greek look-alikes (homoglyphs)",
    ko="라틴 문자를 모양이 같은 키릴·그리스 문자로 바꿈 (호모글리프)",
)
def confusables(text: str, ctx: Context, *, ratio: float = 1.0) -> str:
    return _swap(text, ctx, _table("confusables"), ratio)


def _strip_invisible(text: str) -> str:
    return text.translate({ord(c): None for c in INVISIBLE})


@transform(
    "zero-width",
    family="character",
    locales=["*"],
    reversible=True,
    inverse=_strip_invisible,
    en="Zero-width characters (U+200B, U+200C, U+200D, U+2060) inside every word",
    ko="모든 단어 안에 폭 없는 문자(U+200B, U+200C, U+200D, U+2060)를 넣음",
)
def zero_width(text: str, ctx: Context, *, ratio: float = 1.0, chars: str = ZERO_WIDTH) -> str:
    def gap(_: re.Match[str]) -> str:
        return ctx.rng.choice(chars) if ratio >= 1 or ctx.rng.random() < ratio else ""

    return _INNER_GAP.sub(gap, text)


_FULLWIDTH = {cp: cp + 0xFEE0 for cp in range(0x21, 0x7F)} | {0x20: 0x3000}
_HALFWIDTH = {v: k for k, v in _FULLWIDTH.items()}


@transform(
    "fullwidth",
    family="character",
    locales=["*"],
    reversible=True,
    inverse=lambda t: t.translate(_HALFWIDTH),
    en="ASCII letters, digits and spaces in their fullwidth forms (ＡＢＣ)",
    ko="ASCII 문자·숫자·공백을 전각 문자로 바꿈 (ＡＢＣ)",
)
def fullwidth(text: str, ctx: Context) -> str:
    return text.translate(_FULLWIDTH)
