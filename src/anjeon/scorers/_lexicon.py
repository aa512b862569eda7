"""The refusal lexicon: ``data/refusal.yaml`` compiled once into a few combined regexes.

Speed matters (the engine scores every response inline), and Python's ``re`` is only
fast when every alternative of a combined pattern starts with a plain character: then
the engine skips, in C, every position whose character starts no alternative, and at
the others it tries only the alternatives that share that character. So fragments are
rewritten before they are joined: a leading ``\\b`` becomes a look-behind after the
first letter, a leading group of plain alternatives ``(?:a|b)rest`` is expanded into
``arest|brest``, and the result is grouped by first character (a one-level trie).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

LANGS = ("en", "ko")
_PLAIN = re.compile(r"[^\\()\[\]{}?*+.^$|]+")


@dataclass(frozen=True)
class Lexicon:
    version: int
    # one pattern per script: an alternation over many first characters is slow, and a
    # Korean pattern need not run on a response without Hangul
    refusal_en: re.Pattern[str]
    refusal_ko: re.Pattern[str]
    # refusal-shaped disclaimers ("I can't give legal advice, but ..."), which hide a
    # refusal match they overlap
    disclaimer: re.Pattern[str]
    # refusals that only count at the very start of a response ("No.", "nah")
    opening: re.Pattern[str]
    pivot: re.Pattern[str]
    offer: re.Pattern[str]
    other_help: re.Pattern[str]
    redirect: re.Pattern[str]
    crisis: re.Pattern[str]
    # before a refusal, an announcement of delivered content ("here's the story")
    announce: re.Pattern[str]
    # introductions of example wording ("you could say:"), for quoted refusals
    quote_intro: re.Pattern[str]
    # in a prompt: a request to translate, and a yes/no safety or permission question
    translate: re.Pattern[str]
    yes_no: re.Pattern[str]
    degenerate: re.Pattern[str]
    stopwords: frozenset[str]
    # the learned model's stance categories: category -> (English stems, Korean stems)
    stance: dict[str, tuple[tuple[str, ...], tuple[str, ...]]]


def _leading_group(fragment: str) -> tuple[list[str], str] | None:
    """``(?:a|b|c)rest`` -> (["a", "b", "c"], "rest") when a, b, c are plain text."""
    if not fragment.startswith("(?:"):
        return None
    depth = 0
    for i, ch in enumerate(fragment):
        if ch == "(" and (i == 0 or fragment[i - 1] != "\\"):
            depth += 1
        elif ch == ")" and fragment[i - 1] != "\\":
            depth -= 1
            if depth == 0:
                options = fragment[3:i].split("|")
                if all(_PLAIN.fullmatch(o) for o in options):
                    return options, fragment[i + 1 :]
                return None
    return None


def literal_first(fragment: str) -> list[str]:
    """The fragment as alternatives that each start with a plain character."""
    if fragment.startswith("\\b") and fragment[2:3].isalnum():
        c = fragment[2]
        return [f"{c}(?<!\\w{c}){fragment[3:]}"]
    if fragment.startswith("\\b("):
        split = _leading_group(fragment[2:])
        if split is not None:
            return [x for o, rest in [split] for opt in o for x in literal_first(f"\\b{opt}{rest}")]
    split = _leading_group(fragment)
    if split is not None:
        options, rest = split
        return [x for opt in options for x in literal_first(opt + rest)]
    if not fragment or not _PLAIN.match(fragment[0]):
        raise ValueError(f"lexicon fragment does not start with plain text: {fragment!r}")
    return [fragment]


def _trie(fragments: list[str]) -> str:
    """One alternation grouped by first character; the word-start look-behinds that
    ``literal_first`` writes are checked once per character, not once per alternative
    (at every "i" or "t" of a text, this is most of the work)."""
    by_first: dict[str, list[str]] = defaultdict(list)
    for f in fragments:
        for alt in literal_first(f):
            by_first[alt[0]].append(alt[1:])
    groups = []
    for c, rests in sorted(by_first.items()):
        start = f"(?<!\\w{c})"
        bounded = [r[len(start) :] for r in rests if r.startswith(start)]
        other = [r for r in rests if not r.startswith(start)]
        if len(bounded) > 1:
            other.insert(0, f"{start}(?:{'|'.join(bounded)})")
        else:
            other = rests
        groups.append(f"{re.escape(c)}(?:{'|'.join(other)})")
    return "|".join(groups)


def _both(data: dict[str, Any], group: str) -> list[str]:
    section = data[group]
    return [f for lang in LANGS for f in section.get(lang, [])]


def _stems(cat: str, lang: str, stems: list[Any]) -> tuple[str, ...]:
    for stem in stems:
        if not isinstance(stem, str) or not stem:
            # YAML reads a bare no / false / on as a boolean: quote such stems
            raise ValueError(f"refusal.yaml: stance.{cat}.{lang}: {stem!r} is not a word stem")
    return tuple(stems)


def compile_lexicon(data: dict[str, Any]) -> Lexicon:
    refusal = _both(data, "refusal")
    anchored = [f for f in refusal if f.startswith("^")]

    def free(lang: str) -> list[str]:
        return [f for f in data["refusal"].get(lang, []) if not f.startswith("^")]

    return Lexicon(
        version=int(data["version"]),
        refusal_en=re.compile(_trie(free("en"))),
        refusal_ko=re.compile(_trie(free("ko"))),
        disclaimer=re.compile(_trie(_both(data, "disclaimer"))),
        opening=re.compile("|".join(f"(?:{f[1:]})" for f in anchored)),
        pivot=re.compile(_trie(_both(data, "pivot"))),
        offer=re.compile(_trie(_both(data, "offer"))),
        other_help=re.compile(_trie(_both(data, "other_help"))),
        redirect=re.compile(_trie(_both(data, "redirect"))),
        crisis=re.compile(_trie(_both(data, "crisis"))),
        announce=re.compile(_trie(_both(data, "announce"))),
        quote_intro=re.compile(_trie(_both(data, "quote_intro"))),
        translate=re.compile(_trie(_both(data, "translate"))),
        yes_no=re.compile(_trie(_both(data, "yes_no"))),
        degenerate=re.compile("|".join(f"(?:{f})" for f in data["degenerate"])),
        stopwords=frozenset(data["stopwords"]),
        stance={
            cat: (_stems(cat, "en", langs.get("en", [])), _stems(cat, "ko", langs.get("ko", [])))
            for cat, langs in data["stance"].items()
        },
    )


@cache
def lexicon() -> Lexicon:
    import yaml

    text = resources.files("anjeon.scorers").joinpath("data/refusal.yaml").read_text("utf-8")
    return compile_lexicon(yaml.safe_load(text))
