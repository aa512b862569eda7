"""``anjeon report``, ``anjeon compare`` and ``anjeon check``: the HTML report and the
summaries of a run, paired comparisons of runs, and the release gate."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from anjeon._errors import InputError

if TYPE_CHECKING:
    from anjeon.analysis import Record

RUNS_DIR: Any = typer.Option(Path("runs"), "--runs-dir", help="Where run ids are looked up.")
EXIT_FAILED = 1


class ReportFormat(StrEnum):
    html = "html"
    md = "md"
    text = "text"
    json = "json"


class CompareFormat(StrEnum):
    md = "md"
    html = "html"
    json = "json"


class ExportFormat(StrEnum):
    csv = "csv"
    jsonl = "jsonl"
    parquet = "parquet"


class Lang(StrEnum):
    en = "en"
    ko = "ko"


def register(app: typer.Typer) -> None:
    app.command("report")(report)
    app.command("compare")(compare)
    app.command("check")(check)
    app.command("export")(export)


def _emit(text: str, out: Path | None) -> None:
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        typer.echo(str(out))


def report(
    run: str = typer.Argument(..., help="A run directory, or a run id in --runs-dir."),
    fmt: ReportFormat = typer.Option(
        ReportFormat.html, "--format", "-f", help="html writes report.html; md, text, json print."
    ),
    out: Path = typer.Option(None, "--out", "-o", help="Write here instead."),
    reference: list[str] = typer.Option(
        [], "--reference", "-r", help="A run of a reference system to show beside (repeatable)."
    ),
    standard: str = typer.Option(None, help="Reference standard for grades (id or file)."),
    lang: Lang = typer.Option(Lang.en, help="The language the page opens in."),
    max_cells: int = typer.Option(
        None, help="Embed at most this many cells in the drill-down (default: all)."
    ),
    runs_dir: Path = RUNS_DIR,
) -> None:
    """Write the run's record.json and its self-contained HTML report (or print a
    Markdown / text summary)."""
    import anjeon

    if fmt is ReportFormat.html:
        path = anjeon.report(
            run,
            references=reference,
            standard=standard,
            lang=lang.value,
            max_cells=max_cells,
            out=out,
            runs_dir=runs_dir,
        )
        typer.echo(str(path))
        return
    from anjeon.analysis import dumps_record, to_markdown, to_text

    record = anjeon.record(run, standard=standard, runs_dir=runs_dir)
    text = {"md": to_markdown, "text": to_text, "json": dumps_record}[fmt.value](record)
    _emit(text, out)


def compare(
    runs: list[str] = typer.Argument(..., help="Two or more runs; the first is the baseline."),
    fmt: CompareFormat = typer.Option(CompareFormat.md, "--format", "-f"),
    out: Path = typer.Option(None, "--out", "-o", help="Write here (html: compare.html)."),
    lang: Lang = typer.Option(Lang.en, help="The language the HTML page opens in."),
    runs_dir: Path = RUNS_DIR,
) -> None:
    """Paired differences of each run against the first, per hazard and locale, with
    intervals and McNemar p-values."""
    import anjeon
    from anjeon.reports import compare_html, compare_markdown

    data = anjeon.compare(*runs, runs_dir=runs_dir)
    if fmt is CompareFormat.json:
        _emit(json.dumps(data, ensure_ascii=False, indent=2) + "\n", out)
    elif fmt is CompareFormat.md:
        _emit(compare_markdown(data), out)
    else:
        _emit(compare_html(data, lang.value), out or Path("compare.html"))


def check(
    run: str = typer.Argument(..., help="A run directory, a run id, or a record.json file."),
    max_violation_rate: str = typer.Option(
        None, help="Fail above this violation rate, e.g. 0.05 or 5%."
    ),
    max_gap: str = typer.Option(
        None, help="Fail when |ko-KR − en-US| (paired) exceeds this, e.g. 0.05 or 5%."
    ),
    min_grade: str = typer.Option(None, help="Fail below this grade (Poor … Excellent)."),
    per_hazard: bool = typer.Option(False, help="Apply each threshold to every hazard too."),
    upper: bool = typer.Option(
        False, help="Judge rates and gaps by their 95 % upper bound (stricter)."
    ),
    max_failed: str = typer.Option(
        "1%", help="Fail when more cells than this failed or never ran (e.g. 0 or 1%)."
    ),
    max_unscoreable: str = typer.Option(
        "1%", help="Fail when more cells than this are unscoreable (e.g. 0 or 1%)."
    ),
    fmt: str = typer.Option("text", "--format", help="text or json (on stdout)."),
    junit: Path = typer.Option(None, help="Also write the checks as JUnit XML to this file."),
    rebuild: bool = typer.Option(False, help="Rebuild record.json even if present."),
    standard: str = typer.Option(None, help="Reference standard when the record is built."),
    runs_dir: Path = RUNS_DIR,
) -> None:
    """A release gate for CI: exit 0 when every check passes, 1 with the list of what
    failed, 2 on bad input. Failed and unscoreable cells are checked by default (1 %)."""
    import anjeon
    from anjeon.analysis import RECORD_NAME
    from anjeon.reports import (
        check_record,
        outcomes_json,
        outcomes_junit,
        parse_grade,
        parse_share,
    )

    if fmt not in ("text", "json"):
        raise InputError(f"--format: {fmt!r} is not text or json")
    from anjeon.store import find_run

    rate = (
        None
        if max_violation_rate is None
        else parse_share(max_violation_rate, "--max-violation-rate")
    )
    gap = None if max_gap is None else parse_share(max_gap, "--max-gap")
    grade = None if min_grade is None else parse_grade(min_grade)
    path = Path(run)
    record: Record
    if path.is_file():
        record = _read_record(path, run)
    else:
        run_dir = find_run(run, runs_dir)
        if (run_dir / RECORD_NAME).is_file() and not rebuild and standard is None:
            record = _read_record(run_dir / RECORD_NAME, run)
        else:
            record = anjeon.record(run_dir, standard=standard, write=True, runs_dir=None)
    outcomes = check_record(
        record,
        max_violation_rate=rate,
        max_gap=gap,
        min_grade=grade,
        per_hazard=per_hazard,
        upper=upper,
        max_failed=parse_share(max_failed, "--max-failed"),
        max_unscoreable=parse_share(max_unscoreable, "--max-unscoreable"),
    )
    failed = [o for o in outcomes if not o.passed]
    target = record.target.name
    if junit is not None:
        junit.write_text(outcomes_junit(outcomes, target), encoding="utf-8")
    if fmt == "json":
        typer.echo(json.dumps(outcomes_json(outcomes, target), ensure_ascii=False, indent=2))
        if failed:
            raise typer.Exit(EXIT_FAILED)
        return
    for o in outcomes:
        typer.echo(f"{'PASS' if o.passed else 'FAIL'}  {o.check:<11} {o.message}")
    if failed:
        typer.echo(f"{len(failed)} of {len(outcomes)} checks failed for {target}.", err=True)
        raise typer.Exit(EXIT_FAILED)
    typer.echo(f"all {len(outcomes)} checks passed for {target}.")


def _read_record(path: Path, run: str) -> Record:
    import pydantic

    from anjeon.analysis import load_record

    try:
        return load_record(path)
    except OSError as e:
        raise InputError(f"{path}: cannot read the record: {e}") from None
    except pydantic.ValidationError as e:
        first = e.errors()[0] if e.errors() else {"loc": (), "msg": str(e)}
        where = ".".join(str(x) for x in first["loc"]) or "-"
        raise InputError(f"{run}: not an anjeon record ({where}: {first['msg']})") from None


def export(
    run: str = typer.Argument(..., help="A run directory, or a run id in --runs-dir."),
    fmt: ExportFormat = typer.Option(ExportFormat.csv, "--format", "-f"),
    output: Path = typer.Option(
        None, "--output", "-o", help="Write here (parquet needs a file; else stdout)."
    ),
    runs_dir: Path = RUNS_DIR,
) -> None:
    """One row per cell: item, suite, locale, hazard, persona, kind, expected, transform,
    epoch, prompt, response, finish reason, error and every scorer's label."""
    import sys

    from anjeon.reports import export_cells
    from anjeon.store import find_run

    run_dir = find_run(run, runs_dir)
    n = export_cells(run_dir, fmt.value, output, stdout=sys.stdout)
    if output is not None:
        typer.echo(f"{n} rows", err=True)
        typer.echo(str(output))
