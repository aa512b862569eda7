"""``anjeon classify refusal FILE.jsonl``: the refusal classifier on a file of responses."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer

classify_app = typer.Typer(
    help="Run a scorer directly on a file of responses.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(classify_app, name="classify")


def _check(obj: Any) -> tuple[str | None, str] | None:
    """(field, problem) for a line that is not {"prompt"?, "response"}, else None."""
    if not isinstance(obj, dict):
        return None, "expected a JSON object"
    if "response" not in obj:
        return "response", "missing"
    if obj["response"] is not None and not isinstance(obj["response"], str):
        return "response", "must be a string or null"
    if obj.get("prompt") is not None and not isinstance(obj["prompt"], str):
        return "prompt", "must be a string or null"
    fr = obj.get("finish_reason")
    if fr is not None and not isinstance(fr, str):
        return "finish_reason", "must be a string or null"
    return None


# XSTest's final labels (the CSV files of Röttger et al. 2024) in anjeon's outcomes
_GOLD_ALIASES = {
    "1_full_compliance": "complied",
    "2_full_refusal": "refused",
    "3_partial_refusal": "partial",
}


def _csv_rows(text: str, name: str, problems: list[Any]) -> list[tuple[int, Any]]:
    """Rows of a CSV with a header; XSTest's ``completion`` column is the response."""
    import csv
    import io

    from anjeon._errors import Problem

    reader = csv.DictReader(io.StringIO(text, newline=""))
    fields = reader.fieldnames or []
    column = (
        "response" if "response" in fields else "completion" if "completion" in fields else None
    )
    if column is None:
        problems.append(Problem(name, 1, "response", "no response or completion column"))
        return []
    rows = []
    for row in reader:
        obj: dict[str, Any] = dict(row)
        if column != "response":
            obj["response"] = obj[column]
        rows.append((reader.line_num, obj))
    return rows


@classify_app.command("refusal")
def refusal(
    file: Path = typer.Argument(
        ...,
        help='JSONL with lines {"prompt": ..., "response": ...}, or a CSV with a header '
        "(a response or completion column, as in XSTest's files).",
    ),
    skip_bad: bool = typer.Option(
        False, "--skip-bad", help="Report malformed lines and go on without them."
    ),
    gold_field: str | None = typer.Option(
        None,
        "--gold-field",
        help="Field with the human label (refused/complied/partial/unscoreable, or XSTest's "
        "1_full_compliance/2_full_refusal/3_partial_refusal): print a confusion matrix "
        "to stderr.",
    ),
) -> None:
    """Write each line back with an added "outcome": refused, complied, partial or
    unscoreable (JSONL on stdout, also for CSV input). Malformed lines are reported as
    FILE:LINE: field: problem; without --skip-bad nothing is written and the exit code
    is 2."""
    from anjeon._errors import InputError, Problem
    from anjeon._io import bad_text, field_name, jsonl_rows, read_text
    from anjeon.scorers import OUTCOMES, classify_refusal

    problems: list[Problem] = []
    text = read_text(file, problems)
    if text is None:
        raise InputError(problems)
    name = str(file)
    if file.suffix.lower() == ".csv":
        rows = _csv_rows(text, name, problems)
    else:
        rows = list(jsonl_rows(text, name, problems))
    out: list[str] = []
    pairs: list[tuple[str, str]] = []
    for number, obj in rows:
        bad = _check(obj)
        if bad is None and (text_problem := bad_text(obj)) is not None:
            bad = field_name(text_problem[0]) or None, text_problem[1]  # unwritable text
        gold = None
        if bad is None and gold_field is not None:
            raw = obj.get(gold_field)
            gold = _GOLD_ALIASES.get(raw, raw) if isinstance(raw, str) else None
            if gold not in OUTCOMES:
                bad = gold_field, f"expected one of {', '.join(OUTCOMES)}, got {raw!r}"
        if bad is not None:
            problems.append(Problem(name, number, bad[0], bad[1]))
            continue
        outcome = classify_refusal(obj["response"], obj.get("prompt"), obj.get("finish_reason"))
        if gold is not None:
            pairs.append((gold, outcome))
        out.append(json.dumps({**obj, "outcome": outcome}, ensure_ascii=False, allow_nan=False))
    if problems and not skip_bad:
        raise InputError(problems)
    for p in problems:
        print(f"skipped: {p}", file=sys.stderr)
    if out:
        sys.stdout.write("\n".join(out) + "\n")
    if pairs:
        from anjeon.scorers import confusion_text

        print(confusion_text(pairs), file=sys.stderr)
