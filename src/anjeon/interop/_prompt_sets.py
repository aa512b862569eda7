"""Harmful prompt sets read from their published layouts: HarmBench's behaviors CSV,
AILuminate's public demo prompt CSV and the K-DNA JSON layout."""

from __future__ import annotations

from pathlib import Path

from anjeon._errors import InputError, Problem
from anjeon.interop._common import (
    HazardMap,
    Imported,
    Options,
    csv_rows,
    json_records,
    manifest_for,
    mapping,
    slug,
)

PERSONAS = ("normal", "unskilled", "skilled")


def _harmful(iid: str, locale: str, hazard: str, prompt: str, **extra: object) -> dict[str, object]:
    return {
        "id": iid,
        "locale": locale,
        "hazard": hazard,
        "persona": extra.pop("persona", "normal"),
        "kind": "harmful",
        "expected": "refuse",
        "prompt": prompt,
        **extra,
    }


def parse_harmbench(path: Path, opts: Options) -> Imported:
    """Columns Behavior, FunctionalCategory, SemanticCategory, Tags, ContextString,
    BehaviorID; a contextual behavior is sent as its context, a blank line, then the
    behavior."""
    hazards = HazardMap.of("harmbench", opts)
    cols = ("Behavior", "FunctionalCategory", "SemanticCategory", "BehaviorID")
    problems: list[Problem] = []
    items: list[dict[str, object]] = []
    name = str(path)
    for line, row in csv_rows(path, cols, problems):
        category = row["SemanticCategory"].strip()
        hazard = hazards.lookup(category, "category", (name, line, "SemanticCategory"), problems)
        if hazard is None:
            continue
        behavior, context = row["Behavior"].strip(), row.get("ContextString", "").strip()
        if not behavior or not row["BehaviorID"].strip():
            problems.append(Problem(name, line, "Behavior", "empty behavior or id"))
            continue
        functional = row["FunctionalCategory"].strip()
        tags = [f"harmbench:{slug(functional)}", f"harmbench:{slug(category)}"]
        tags += [f"harmbench:{slug(t)}" for t in row.get("Tags", "").split(",") if t.strip()]
        items.append(
            _harmful(
                f"harmbench-{slug(row['BehaviorID'])}",
                "en-US",
                hazard,
                f"{context}\n\n{behavior}" if context else behavior,
                tags=tags,
            )
        )
    if problems:
        raise InputError(problems)
    return Imported("harmbench", items, manifest=manifest_for("harmbench"))


def parse_ailuminate(path: Path, opts: Options) -> Imported:
    """Columns release_prompt_id, prompt_text, hazard, persona, locale."""
    m = mapping("ailuminate")
    hazards = HazardMap.of("ailuminate", opts, "by_hazard")
    cols = ("release_prompt_id", "prompt_text", "hazard", "persona", "locale")
    problems: list[Problem] = []
    items: list[dict[str, object]] = []
    name = str(path)
    for line, row in csv_rows(path, cols, problems):
        code = row["hazard"].strip()
        hazard = hazards.lookup(code, "hazard", (name, line, "hazard"), problems)
        locale = m["locales"].get(row["locale"].strip())
        persona = row["persona"].strip()
        if locale is None:
            problems.append(Problem(name, line, "locale", f"unknown locale {row['locale']!r}"))
        if persona not in PERSONAS:
            msg = f"unknown persona {persona!r} (known: {', '.join(PERSONAS)})"
            problems.append(Problem(name, line, "persona", msg))
        if not row["prompt_text"].strip():
            problems.append(Problem(name, line, "prompt_text", "empty"))
        if hazard is None or locale is None or persona not in PERSONAS:
            continue
        items.append(
            _harmful(
                f"ailuminate-{slug(row['release_prompt_id'])}",
                locale,
                hazard,
                row["prompt_text"],
                persona=persona,
                tags=[f"ailuminate:{slug(code)}"],
            )
        )
    if problems:
        raise InputError(problems)
    return Imported("ailuminate", items, manifest=manifest_for("ailuminate"))


def parse_kdna(path: Path, opts: Options) -> Imported:
    """A JSON array (or JSON Lines) of ``{id, category, question, transparency,
    context}``; context may be empty."""
    hazards = HazardMap.of("kdna", opts)
    problems: list[Problem] = []
    items: list[dict[str, object]] = []
    name = str(path)
    for line, obj in json_records(path, problems):
        rid, category, question = obj.get("id"), obj.get("category"), obj.get("question")
        if not isinstance(rid, str | int) or isinstance(rid, bool) or str(rid).strip() == "":
            problems.append(Problem(name, line, "id", "missing (a string or a number)"))
            continue
        if not isinstance(question, str) or not question.strip():
            problems.append(Problem(name, line, "question", "missing or empty"))
            continue
        hazard = hazards.lookup(category, "category", (name, line, "category"), problems)
        if hazard is None:
            continue
        context = obj.get("context") or ""
        if not isinstance(context, str):
            problems.append(Problem(name, line, "context", "must be a string"))
            continue
        transparency = obj.get("transparency")
        tags = [f"kdna:{str(category).strip()}"]  # a string: it has a hazard
        if transparency not in (None, ""):
            tags.append(f"transparency:{str(transparency).strip()}")
        items.append(
            _harmful(
                # "kdna-0001" stays itself, 17 becomes "kdna-17"
                slug(str(rid)) if slug(str(rid)).startswith("kdna-") else f"kdna-{slug(str(rid))}",
                "ko-KR",
                hazard,
                f"{context.strip()}\n\n{question.strip()}" if context.strip() else question,
                tags=tags,
            )
        )
    if problems:
        raise InputError(problems)
    return Imported("kdna", items, manifest=manifest_for("kdna"))
