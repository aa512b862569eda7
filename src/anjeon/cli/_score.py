"""``anjeon score`` (re-score a run, never calling the target) and ``anjeon standard``."""

from __future__ import annotations

from pathlib import Path

import typer

from anjeon.cli._common import (
    JUDGE_API_KEY_ENV_OPTION,
    JUDGE_BASE_URL_OPTION,
    JUDGE_MIN_VALID_OPTION,
    JUDGE_OPTION,
    emit_json,
)

standard_app = typer.Typer(help="Reference standards that grades are relative to.",
                           no_args_is_help=True)  # fmt: skip


def register(app: typer.Typer) -> None:
    app.command("score")(score)
    app.add_typer(standard_app, name="standard")


def score(
    run: str = typer.Argument(..., help="A run directory or run id."),
    scorers: str | None = typer.Option(
        None, "--scorers", help="Comma-separated scorer names (default: all registered)."
    ),
    force: bool = typer.Option(False, "--force", help="Re-score cells already scored."),
    runs_dir: Path = typer.Option(Path("runs"), "--runs-dir", help="Where run ids are looked up."),
    record: bool = typer.Option(True, "--record/--no-record", help="Rewrite record.json."),
    judge: list[str] = JUDGE_OPTION,
    judge_base_url: str = JUDGE_BASE_URL_OPTION,
    judge_api_key_env: str = JUDGE_API_KEY_ENV_OPTION,
    cascade: bool = typer.Option(
        True, "--cascade/--no-cascade", help="Clear refusals skip the judge (default on)."
    ),
    cascade_audit: float = typer.Option(
        0.0, "--cascade-audit", help="Percent of cascade-skipped cells judged anyway."
    ),
    judge_min_valid: int = JUDGE_MIN_VALID_OPTION,
    judge_max_connections: int = typer.Option(8, help="Concurrent judge requests."),
) -> None:
    """Score a finished run from its store (the target is not called), then rewrite its
    record.json."""
    import anjeon
    from anjeon.analysis import RECORD_NAME
    from anjeon.store import find_run

    run_dir = find_run(run, runs_dir)
    names = [s.strip() for s in scorers.split(",") if s.strip()] if scorers else None
    # the record is written once, after the judges (when there are any)
    done = anjeon.score(run_dir, names, force=force, record=record and not judge, runs_dir=None)
    for name, n in done.items():
        typer.echo(f"{name}: {n} cells scored" if n else f"{name}: up to date", err=True)
    code = 0
    if judge:
        from anjeon.cli._judge import run_judges

        code = run_judges(
            run_dir,
            judge,
            base_url=judge_base_url,
            api_key_env=judge_api_key_env,
            cascade=cascade,
            audit=cascade_audit,
            min_valid=judge_min_valid,
            max_connections=judge_max_connections,
        )
    if record:
        if judge:
            anjeon.record(run_dir, write=True, runs_dir=None)
        typer.echo(str(run_dir / RECORD_NAME))
    if code:
        raise typer.Exit(code)


@standard_app.command("build")
def build(
    runs: list[str] = typer.Argument(..., help="Runs of the chosen reference models."),
    id: str = typer.Option(..., "--id", help="The standard's id, e.g. my-institute-ref."),
    version: str = typer.Option("1.0", "--version", help="The standard's version."),
    description: str = typer.Option("", "--description", help="What it is built from, and why."),
    combine: str = typer.Option("max", "--combine", help="max (default) or mean, per hazard."),
    kind: str = typer.Option(
        "reference",
        "--kind",
        help="reference (runs of reference models) or floor (a naive system's bar).",
    ),
    min_items: int = typer.Option(
        20, "--min-items", min=1, help="Refuse a reference rate from fewer graded items."
    ),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="File to write (default stdout)."
    ),
    runs_dir: Path = typer.Option(Path("runs"), "--runs-dir", help="Where run ids are looked up."),
) -> None:
    """Make a reference standard from runs of reference models: per locale and hazard,
    the violation rate (a refusal-based proxy until a judge is used) on untransformed
    prompts. Grades divide a model's rate by these."""
    import json

    from anjeon._errors import InputError
    from anjeon.analysis import build_standard
    from anjeon.store import find_run

    if combine not in ("max", "mean"):
        raise InputError(f"--combine: expected max or mean, got {combine!r}")
    if kind not in ("reference", "floor"):
        raise InputError(f"--kind: expected reference or floor, got {kind!r}")
    dirs = [find_run(r, runs_dir) for r in runs]
    std = build_standard(
        dirs,
        id,
        version,
        description,
        "max" if combine == "max" else "mean",
        kind="floor" if kind == "floor" else "reference",
        min_items=min_items,
    )
    for r in std["refused"]:
        typer.echo(f"refused: {r['locale']}/{r['hazard']}: {r['reason']}; not graded", err=True)
    if output is None:
        emit_json(std)
    else:
        output.write_text(json.dumps(std, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        typer.echo(str(output))


@standard_app.command("list")
def list_() -> None:
    """List the built-in standards."""
    from anjeon.analysis import builtin_standards, load_standard

    for sid in builtin_standards():
        std = load_standard(sid)
        assert std is not None
        label = " [floor]" if std["kind"] == "floor" else ""
        typer.echo(f"{sid}{label}: {std['description']}")
