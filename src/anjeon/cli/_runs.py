"""``anjeon runs``: list and show run directories."""

from __future__ import annotations

from pathlib import Path

import typer

from anjeon.cli._common import FORMAT_OPTION, Format, emit_json, print_table

runs_app = typer.Typer(help="Run directories: list and inspect.", no_args_is_help=True)

RUNS_DIR_OPTION = typer.Option(Path("runs"), "--runs-dir", help="Where run directories are.")


def register(app: typer.Typer) -> None:
    app.add_typer(runs_app, name="runs")


@runs_app.command("list")
def list_(runs_dir: Path = RUNS_DIR_OPTION, fmt: Format = FORMAT_OPTION) -> None:
    """List the runs in --runs-dir, oldest first."""
    from anjeon.store import list_runs

    runs = list_runs(runs_dir)
    if fmt is Format.json:
        emit_json(runs)
        return
    rows = [
        [
            r["run_id"],
            r["status"],
            r["model"] or "-",
            ", ".join(r["suites"]) or "-",
            "-" if r["planned"] is None else r["planned"],
            "-" if r["answered"] is None else r["answered"],
            "-" if r["failed"] is None else r["failed"],
        ]
        for r in runs
    ]
    cols = ["run", "status", "model", "suites", "planned", "answered", "failed"]
    print_table(f"Runs in {runs_dir}", cols, rows)
    for r in runs:
        if r["status"] == "damaged":
            typer.echo(f"damaged: {r.get('error')}", err=True)


@runs_app.command("show")
def show(
    run: str = typer.Argument(..., help="A run directory, or a run id in --runs-dir."),
    runs_dir: Path = RUNS_DIR_OPTION,
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Counts of a run: planned, answered, failed, pending; errors and scores."""
    from anjeon.store import find_run, summarize

    info = summarize(find_run(run, runs_dir))
    if fmt is Format.json:
        emit_json(info)
        return
    typer.echo(f"{info['run_id']} ({info['status']})  {info['path']}")
    typer.echo(
        f"model {info['model']}; suites {', '.join(info['suites'])}; "
        f"transforms {', '.join(info['transforms'])}; epochs {info['epochs']}"
    )
    typer.echo(
        f"cells: {info['planned']} planned, {info['answered']} answered, "
        f"{info['failed']} failed, {info['pending']} pending; "
        f"{info['requests']} requests"
    )
    if info["errors_by_kind"]:
        typer.echo(
            "request errors: " + ", ".join(f"{k} {n}" for k, n in info["errors_by_kind"].items())
        )
    for scorer, labels in info["scores"].items():
        typer.echo(f"{scorer}: " + ", ".join(f"{k} {n}" for k, n in labels.items()))
