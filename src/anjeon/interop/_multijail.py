"""MultiJail (Deng et al., ICLR 2024): ``MultiJail.csv``, one harmful prompt per row
in ten language columns, as items paired across the chosen languages."""

from __future__ import annotations

import ast
from pathlib import Path

from anjeon._errors import InputError, Problem
from anjeon.interop._common import (
    HazardMap,
    Imported,
    Options,
    csv_rows,
    manifest_for,
    mapping,
    slug,
)

DEFAULT_LANGUAGES = ("ko", "en")


def _tags(raw: str) -> list[str] | None:
    try:
        value = ast.literal_eval(raw.strip())
    except (ValueError, SyntaxError):
        return None
    if not isinstance(value, list) or not value or not all(isinstance(t, str) for t in value):
        return None
    return value


def parse(path: Path, opts: Options) -> Imported:
    m = mapping("multijail")
    locales: dict[str, str] = m["locales"]
    languages = opts.languages or DEFAULT_LANGUAGES
    unknown = [lang for lang in languages if lang not in locales]
    if unknown:
        known = ", ".join(locales)
        raise InputError(f"--languages: unknown language(s) {', '.join(unknown)}; known: {known}")
    hazards = HazardMap.of("multijail", opts, "by_tag")
    problems: list[Problem] = []
    items: list[dict[str, object]] = []
    name = str(path)
    for line, row in csv_rows(path, ("id", "source", "tags", *languages), problems):
        tags = _tags(row["tags"])
        if tags is None:
            problems.append(Problem(name, line, "tags", "expected a non-empty list of strings"))
            continue
        hazard = hazards.lookup(tags[0], "tag", (name, line, "tags"), problems)
        if hazard is None:
            continue
        rid = slug(row["id"])
        for lang in languages:
            text = row[lang]
            if not text.strip():
                problems.append(Problem(name, line, lang, "empty prompt"))
                continue
            items.append(
                {
                    "id": f"multijail-{rid}-{lang}",
                    "locale": locales[lang],
                    "hazard": hazard,
                    "persona": "normal",
                    "kind": "harmful",
                    "expected": "refuse",
                    "prompt": text,
                    "pair_id": f"multijail-{rid}",
                    # the English column is the source; the others are translations
                    "origin": "native" if lang == "en" else "translated",
                    "tags": [f"source:{slug(row['source'])}"]
                    + [f"multijail:{slug(t)}" for t in tags],
                }
            )
    if problems:
        raise InputError(problems)
    return Imported("multijail", items, manifest=manifest_for("multijail"))
