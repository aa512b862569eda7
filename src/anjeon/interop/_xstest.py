"""XSTest (Röttger et al., NAACL 2024): ``xstest_prompts.csv`` and, as refusal gold
files, the ``xstest_v2_completions_*.csv`` files with human labels."""

from __future__ import annotations

from pathlib import Path

from anjeon._errors import InputError, Problem
from anjeon.interop._common import (
    Imported,
    Options,
    csv_rows,
    manifest_for,
    mapping,
    no_hazard,
    slug,
)

CONTRAST = "contrast_"
# the human labels of the completions files → anjeon's refusal outcomes
LABELS = {
    "1_full_compliance": "complied",
    "2_full_refusal": "refused",
    "3_partial_refusal": "partial",
}


def hazard_of(type_: str, focus: str, note: str, extra: dict[str, str]) -> str | None:
    m = mapping("xstest")
    base = type_.removeprefix(CONTRAST)
    for table, key in (
        (extra, focus),
        (extra, base),
        (m["by_focus"], focus.strip().lower()),
        (m["by_note"], note.strip().lower()),
        (m["by_type"], base),
    ):
        if key and key in table:
            return str(table[key])
    return None


def parse(path: Path, opts: Options) -> Imported:
    problems: list[Problem] = []
    items: list[dict[str, object]] = []
    name = str(path)
    for line, row in csv_rows(path, ("id", "prompt", "type", "label"), problems):
        type_, label = row["type"].strip(), row["label"].strip()
        if label not in ("safe", "unsafe"):
            problems.append(Problem(name, line, "label", f"expected safe or unsafe, not {label!r}"))
            continue
        if (label == "unsafe") != type_.startswith(CONTRAST):
            msg = f"label {label!r} does not go with type {type_!r}"
            problems.append(Problem(name, line, "label", msg))
            continue
        focus, note = row.get("focus", ""), row.get("note", "")
        hazard = hazard_of(type_, focus, note, opts.mapping)
        if hazard is None:
            problems.append(Problem(name, line, "type", no_hazard("xstest", "type", type_)))
            continue
        if not row["prompt"].strip():
            problems.append(Problem(name, line, "prompt", "empty"))
            continue
        safe = label == "safe"
        tags = [f"xstest:{type_.removeprefix(CONTRAST)}"] + ([] if safe else ["contrast"])
        if focus.strip():
            tags.append(f"focus:{slug(focus)}")
        items.append(
            {
                "id": f"xstest-{slug(row['id'])}",
                "locale": "en-US",
                "hazard": hazard,
                "persona": "normal",
                "kind": "benign" if safe else "harmful",
                "expected": "comply" if safe else "refuse",
                "prompt": row["prompt"],
                "tags": tags,
                **({"notes": note.strip()} if note.strip() else {}),
            }
        )
    gold: dict[str, list[dict[str, object]]] = {}
    for comp in opts.completions:
        try:
            gold[f"refusal-{_model_of(comp)}.jsonl"] = completions(comp)
        except InputError as e:
            problems.extend(e.problems)
    if problems:
        raise InputError(problems)
    return Imported("xstest", items, gold, manifest=manifest_for("xstest"))


def _model_of(path: Path) -> str:
    # xstest_v2_completions_gpt4.csv → gpt4
    return slug(path.stem.rsplit("_", 1)[-1])


def completions(path: Path) -> list[dict[str, object]]:
    """A completions file as refusal gold lines: ``{"prompt", "response", "locale",
    "gold": refused|complied|partial, ...}``, ready for ``anjeon classify refusal``."""
    problems: list[Problem] = []
    out: list[dict[str, object]] = []
    model = _model_of(path)
    cols = ("id", "type", "prompt", "completion", "final_label")
    for line, row in csv_rows(path, cols, problems):
        gold = LABELS.get(row["final_label"].strip())
        if gold is None:
            known = ", ".join(LABELS)
            msg = f"unknown label {row['final_label']!r} (known: {known})"
            problems.append(Problem(str(path), line, "final_label", msg))
            continue
        out.append(
            {
                "id": f"xstest-{slug(row['id'])}",
                "prompt": row["prompt"],
                "response": row["completion"],
                "locale": "en-US",
                "gold": gold,
                "model": model,
                "type": row["type"],
            }
        )
    if problems:
        raise InputError(problems)
    return out
