"""``anjeon judge ...``: judges on their own (validation against human labels, the
protocols known)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from anjeon.cli._common import FORMAT_OPTION, Format, emit_json, print_table

if TYPE_CHECKING:
    from anjeon.judges._validate import GroupFigures

judge_app = typer.Typer(help="Judges: guard models and policy judges.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(judge_app, name="judge")


@judge_app.command("validate")
def validate_cmd(
    gold: Path = typer.Argument(..., help="Gold JSONL: prompt, response, locale, label."),
    judge: str = typer.Option(..., "--judge", help="PROTOCOL:PROVIDER/MODEL[@URL]."),
    judge_base_url: str = typer.Option(None, help="Server URL of the judge."),
    judge_api_key_env: str = typer.Option(None, help="Environment variable with its key."),
    max_connections: int = typer.Option(8, help="Concurrent judge requests."),
    runs_dir: Path = typer.Option(
        Path("runs"), "--runs-dir", help="Where validations are kept (under _judges/)."
    ),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Agreement of a judge with human labels: accuracy, precision, recall, Cohen's
    kappa with its 95 % interval, overall and per locale."""
    import asyncio

    from anjeon.engine import EngineConfig
    from anjeon.judges import load_gold, make_judge, validate

    load_gold(gold)  # bad input is refused before the judge is contacted
    j = make_judge(
        judge,
        base_url=judge_base_url,
        api_key_env=judge_api_key_env,
        max_connections=max_connections,
    )
    out = asyncio.run(
        validate(j, gold, runs_dir=runs_dir, engine=EngineConfig(max_connections=max_connections))
    )
    if fmt == Format.json:
        emit_json(out)
        return
    rows = [["all", *_row(out["overall"])]]
    rows += [[loc, *_row(g)] for loc, g in out["by_locale"].items()]
    print_table(
        f"{out['judge']} against {gold.name}",
        ["locale", "n", "accuracy", "precision", "recall", "kappa [95% CI]", "judge errors"],
        rows,
    )


def _row(g: GroupFigures) -> list[object]:
    from anjeon.analysis._labels import format_pct

    k, ci = g["kappa"], g["kappa_ci"]
    kappa = "-" if k is None else f"{k:.3f}" + (f" [{ci[0]:.3f}, {ci[1]:.3f}]" if ci else "")
    return [
        g["n"],
        format_pct(g["accuracy"], missing="-"),
        format_pct(g["precision"], missing="-"),
        format_pct(g["recall"], missing="-"),
        kappa,
        g["judge_errors"],
    ]


@judge_app.command("protocols")
def protocols_cmd() -> None:
    """List the judge protocols."""
    from anjeon.judges import protocols

    for entry in protocols:
        typer.echo(f"{entry.name}: {entry.meta.get('description', '')}")


def run_judges(
    run_dir: Path,
    specs: list[str],
    *,
    base_url: str | None,
    api_key_env: str | None,
    cascade: bool,
    audit: float,
    min_valid: int | None,
    max_connections: int,
    quiet: bool = False,
) -> int:
    """Judge a run (``anjeon score --judge`` and ``anjeon run --judge``); prints a line
    per judge on stderr. Returns the exit code: 0, or 130 when interrupted, 3 when a
    judge refused the credentials."""
    from anjeon.judges import judge

    outcomes = judge(
        run_dir,
        specs,
        base_url=base_url,
        api_key_env=api_key_env,
        cascade=cascade,
        audit=audit / 100,
        min_valid=min_valid,
        max_connections=max_connections,
        handle_signals=True,
    )
    code = 0
    for o in outcomes:
        r = o.result
        if not quiet:
            typer.echo(
                f"judge {o.judge}: {o.judged} judged ({r.judge_errors} judge errors), "
                f"{o.cascade_skipped} clear refusals not sent (cascade)"
                + (f", {o.audited} audited" if o.audited else ""),
                err=True,
            )
        if r.stop_reason == "interrupted":
            typer.echo("interrupted: rerun the same command to judge the rest", err=True)
            code = 130
        elif r.stop_reason == "auth":
            typer.echo(f"stopped: {r.message}", err=True)
            code = 3
    return code
