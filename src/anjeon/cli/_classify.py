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


@classify_app.command("refusal")
def refusal(
    file: Path = typer.Argument(..., help='JSONL with lines {"prompt": ..., "response": ...}.'),
    skip_bad: bool = typer.Option(
        False, "--skip-bad", help="Report malformed lines and go on without them."
    ),
) -> None:
    """Write each line back with an added "outcome": refused, complied, partial or
    unscoreable. Malformed lines are reported as FILE:LINE: field: problem; without
    --skip-bad nothing is written and the exit code is 2."""
    from anjeon._errors import InputError, Problem
    from anjeon._io import read_text
    from anjeon.scorers import classify_refusal

    problems: list[Problem] = []
    text = read_text(file, problems)
    if text is None:
        raise InputError(problems)
    out: list[str] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as e:
            problems.append(Problem(str(file), number, None, f"invalid JSON: {e.msg}"))
            continue
        bad = _check(obj)
        if bad is not None:
            problems.append(Problem(str(file), number, bad[0], bad[1]))
            continue
        outcome = classify_refusal(obj["response"], obj.get("prompt"), obj.get("finish_reason"))
        out.append(json.dumps({**obj, "outcome": outcome}, ensure_ascii=False))
    if problems and not skip_bad:
        raise InputError(problems)
    for p in problems:
        print(f"skipped: {p}", file=sys.stderr)
    if out:
        sys.stdout.write("\n".join(out) + "\n")
