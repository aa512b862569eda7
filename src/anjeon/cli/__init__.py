"""The ``anjeon`` command line. Each command group lives in its own module here and
registers itself through ``register(app)``; heavy imports stay inside the commands."""

from __future__ import annotations

import importlib
from typing import Any

import typer
from typer.core import TyperGroup

from anjeon import _exitcodes
from anjeon._errors import InputError, StorageError
from anjeon._version import __version__

# command modules, in help order; each defines register(app)
MODULES = (
    "_taxonomy",
    "_suites",
    "_run",
    "_runs",
    "_score",
    "_stub",
    "_transforms",
    "_report",
    "_classify",
    "_judge",
    "_interop",
)


class _Root(TyperGroup):
    """Bad input anywhere below prints every problem and exits with code 2."""

    def invoke(self, ctx: Any) -> Any:
        from anjeon.store._lock import RunLocked, release_all

        try:
            return super().invoke(ctx)
        except RunLocked as e:
            typer.echo(f"error: {e}", err=True)
            ctx.exit(_exitcodes.LOCKED)
        except InputError as e:
            from anjeon.cli._common import as_flags

            for p in e.problems:
                typer.echo(f"error: {as_flags(str(p))}", err=True)
            if len(e.problems) > 1:
                typer.echo(f"{len(e.problems)} problems; nothing was written.", err=True)
            ctx.exit(_exitcodes.INPUT)
        except StorageError as e:
            typer.echo(f"error: {e}", err=True)
            ctx.exit(_exitcodes.STORAGE)
        finally:
            release_all()  # the command's run locks end with it


app = typer.Typer(
    name="anjeon",
    cls=_Root,
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
    """Console entry point."""
    app()
