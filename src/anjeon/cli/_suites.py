"""``anjeon suites``: list, show, count and validate item banks."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import typer

from anjeon.cli._common import FORMAT_OPTION, Format, emit_json, print_table

suites_app = typer.Typer(help="Test suites: built-in and your own.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.add_typer(suites_app, name="suites")


@suites_app.command("list")
def list_(fmt: Format = FORMAT_OPTION) -> None:
    """List the built-in suites with their version, size and content hash."""
    from anjeon.suites import builtin_suite_ids, resolve_suite
    from anjeon.suites._stats import suite_info

    infos = [suite_info(resolve_suite(i)) for i in builtin_suite_ids()]
    if fmt is Format.json:
        emit_json(infos)
        return
    rows = [
        [
            i["id"],
            i["version"],
            i["n_items"],
            ", ".join(i["locales"]),
            i["title"]["en"],
            i["sha256"][:12],
        ]
        for i in infos
    ]
    print_table("Built-in suites", ["id", "version", "items", "locales", "title", "sha256"], rows)


@suites_app.command("show")
def show(
    suite: str = typer.Argument(..., help="A built-in suite id or a path."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Show a suite's manifest and its items."""
    from anjeon.suites import resolve_suite
    from anjeon.suites._stats import suite_info

    s = resolve_suite(suite)
    if fmt is Format.json:
        emit_json(
            {
                **suite_info(s),
                "description": s.manifest.description.model_dump(),
                "items": [i.model_dump(mode="json", exclude_none=True) for i in s.items],
            }
        )
        return
    info = suite_info(s)
    typer.echo(f"{info['id']} {info['version']} — {info['title']['en']} / {info['title']['ko']}")
    typer.echo(f"{info['n_items']} items, sha256 {info['sha256']}, license {info['license']}")
    typer.echo(s.manifest.description.en)
    rows = [[i.id, i.locale, i.hazard, i.persona, i.kind, i.expected, i.text[:60]] for i in s.items]
    print_table(None, ["id", "locale", "hazard", "persona", "kind", "expected", "prompt"], rows)


@suites_app.command("stats")
def stats(
    suite: str = typer.Argument(..., help="A built-in suite id or a path."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Coverage: counts by hazard × locale × persona × kind."""
    from anjeon.suites import resolve_suite
    from anjeon.suites._stats import suite_stats

    st = suite_stats(resolve_suite(suite))
    if fmt is Format.json:
        emit_json(st)
        return
    typer.echo(
        f"{st['id']} {st['version']}: {st['n_items']} items, {st['pairs']} pairs, "
        f"sha256 {st['sha256'][:12]}"
    )
    keys: tuple[Literal["by_locale", "by_kind", "by_expected", "by_persona"], ...]
    keys = ("by_locale", "by_kind", "by_expected", "by_persona")
    for key in keys:
        typer.echo(f"  {key[3:]}: " + ", ".join(f"{k} {v}" for k, v in st[key].items()))
    rows = [[c["hazard"], c["locale"], c["persona"], c["kind"], c["n"]] for c in st["cells"]]
    print_table("Coverage", ["hazard", "locale", "persona", "kind", "n"], rows)


@suites_app.command("validate")
def validate(
    path: Path = typer.Argument(
        ..., help="An item file (.jsonl/.yaml) or a folder with suite.yaml."
    ),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Check a suite; print every problem as FILE:LINE: field: problem (exit code 2)."""
    from anjeon.suites import load_suite
    from anjeon.suites._stats import suite_info

    s = load_suite(path)
    if fmt is Format.json:
        emit_json({"valid": True, **suite_info(s)})
    else:
        typer.echo(f"ok: {s.id} {s.version}, {len(s.items)} items, sha256 {s.sha256}")


@suites_app.command("import")
def import_(
    fmt: str = typer.Argument(
        ..., metavar="FORMAT", help="xstest, kobbq, multijail, kosbi, square, harmbench, ..."
    ),
    file: Path = typer.Argument(..., help="The data set's file, as its authors publish it."),
    out: Path = typer.Option(..., "--out", "-o", help="The suite folder to write (new)."),
    languages: str = typer.Option(
        "", "--languages", help="multijail: comma-separated columns (default ko,en)."
    ),
    maps: list[str] = typer.Option(
        [], "--map", help="SOURCE_VALUE=HAZARD: add to or override the hazard mapping."
    ),
    completions: list[Path] = typer.Option(
        [], "--completions", help="xstest: completions CSVs, written as refusal gold files."
    ),
    fmt_out: Format = FORMAT_OPTION,
) -> None:
    """Import a published data set as a suite folder (and gold files for judges).
    Bad input: every problem as FILE:LINE: field: problem, exit code 2, nothing written."""
    from anjeon.interop import import_suite, parse_map

    langs = [x.strip() for x in languages.split(",") if x.strip()]
    result = import_suite(
        fmt, file, out, languages=langs, mapping=parse_map(maps), completions=completions
    )
    if fmt_out is Format.json:
        emit_json(result)
        return
    typer.echo(
        f"ok: {result['suite']} {result['version']}, {result['items']} items → {result['path']}"
    )
    for name, n in result["gold"].items():
        typer.echo(f"gold: {n} labelled lines → {Path(result['path']) / 'gold' / name}")
    for why, n in result["skipped"].items():
        typer.echo(f"skipped: {n} ({why})")
