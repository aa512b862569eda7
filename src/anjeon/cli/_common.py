"""Output helpers shared by the commands: formats, JSON, tables."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

import typer


class Format(StrEnum):
    table = "table"
    json = "json"


class DocFormat(StrEnum):
    table = "table"
    json = "json"
    md = "md"


FORMAT_OPTION: Any = typer.Option(
    Format.table, "--format", "-f", help="table for people, json for scripts (stable keys)."
)

# the judge flags that ``anjeon run`` and ``anjeon score`` share (docs/judges.md)
JUDGE_OPTION: Any = typer.Option(
    [],
    "--judge",
    help="Judge the answers with PROTOCOL:PROVIDER/MODEL[@URL] (repeatable: an ensemble); "
    "the judges given decide the violation rate. See docs/judges.md.",
)
JUDGE_BASE_URL_OPTION: Any = typer.Option(None, help="Server URL of the judges.")
JUDGE_API_KEY_ENV_OPTION: Any = typer.Option(None, help="Environment variable with their key.")
JUDGE_MIN_VALID_OPTION: Any = typer.Option(
    None, help="Valid verdicts a cell needs to be decided [default: a majority]."
)


def emit_json(data: object) -> None:
    """JSON on stdout: UTF-8, two-space indent, keys in the order documented."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def print_table(
    title: str | None, columns: Sequence[str], rows: Sequence[Sequence[object]]
) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title, show_lines=False)
    for c in columns:
        table.add_column(c, overflow="fold")
    for r in rows:
        table.add_row(*["" if v is None else str(v) for v in r])
    Console().print(table)


# library parameter -> CLI flag, where the flag is not simply --the-name (the library's
# errors name parameters in backticks; the CLI shows its flags instead, here only)
FLAGS = {
    "suites": "--suite",
    "transform_sets": "--transform-set",
    "references": "--reference",
    "judges": "--judge",
    "out": "--out",
}
# the same table the other way: a command's parameter (named after its flag) -> the
# library's parameter
_PARAMS = {flag.removeprefix("--").replace("-", "_"): name for name, flag in FLAGS.items()}


def as_flags(message: str) -> str:
    """``"`epochs` must be at least 1"`` -> ``"--epochs must be at least 1"``."""
    import re

    def flag(m: re.Match[str]) -> str:
        name = m.group(1)
        return FLAGS.get(name, "--" + name.replace("_", "-"))

    return re.sub(r"`([a-z][a-z0-9_]*)`", flag, message)


def as_params(options: dict[str, Any], *cli_only: str) -> dict[str, Any]:
    """A command's option values (its ``locals()``) under the library's parameter names,
    ``--suite`` -> ``suites``, leaving out the options only the CLI has: the CLI passes
    its options on as they are, so a library setting is added without restating it."""
    return {_PARAMS.get(k, k): v for k, v in options.items() if k not in cli_only}
