"""``anjeon import inspect LOG``: other tools' results as anjeon runs."""

from __future__ import annotations

from pathlib import Path

import typer

from anjeon.cli._common import FORMAT_OPTION, Format, emit_json

import_app = typer.Typer(help="Other tools' results as anjeon runs.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(import_app, name="import")


@import_app.command("inspect")
def inspect_(
    log: Path = typer.Argument(..., help="An Inspect log (.eval or .json)."),
    runs_dir: Path = typer.Option(Path("runs"), "--runs-dir", help="Where runs are kept."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Turn an Inspect evaluation log into an anjeon run directory (items, responses,
    model, usage), scored by anjeon's scorers: report, compare and check work on it."""
    from anjeon.interop import import_inspect
    from anjeon.store import summarize

    run_dir = import_inspect(log, runs_dir)
    info = summarize(run_dir)
    if fmt is Format.json:
        emit_json(info)
        return
    typer.echo(
        f"imported {info['answered']} answered and {info['failed']} failed cells of "
        f"{info['model']} ({', '.join(info['suites'])})"
    )
    typer.echo(str(run_dir))
