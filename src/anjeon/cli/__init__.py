"""The ``anjeon`` command line. Each command group lives in its own module here and
registers itself through ``register(app)``; heavy imports stay inside the commands."""

from __future__ import annotations

import importlib
import sys

import typer

from anjeon._errors import InputError
from anjeon._version import __version__

# command modules, in help order; each defines register(app)
MODULES = ("_taxonomy", "_suites")

app = typer.Typer(
    name="anjeon",
    help="anjeon (안전): safety assessment of LLMs in English and Korean.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"anjeon {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """anjeon (안전): safety assessment of LLMs in English and Korean."""


for _name in MODULES:
    importlib.import_module(f"anjeon.cli.{_name}").register(app)


def main() -> None:
    """Console entry point: bad input prints every problem and exits with code 2."""
    try:
        app()
    except InputError as e:
        for p in e.problems:
            print(f"error: {p}", file=sys.stderr)
        n = len(e.problems)
        if n > 1:
            print(f"{n} problems; nothing was written.", file=sys.stderr)
        sys.exit(2)
