"""``anjeon taxonomy``: show the hazards and their crosswalks."""

from __future__ import annotations

import sys
from enum import StrEnum

import typer

from anjeon.cli._common import FORMAT_OPTION, DocFormat, Format, emit_json, print_table

tax_app = typer.Typer(
    help="The risk taxonomy: hazards, sub-hazards, personas, crosswalks.", no_args_is_help=True
)


class CrosswalkTo(StrEnum):
    llamaguard = "llamaguard"
    ailuminate = "ailuminate"
    air2024 = "air2024"


def register(app: typer.Typer) -> None:
    app.add_typer(tax_app, name="taxonomy")


@tax_app.command("show")
def show(
    locale: str | None = typer.Option(None, help="Only this locale's sub-hazards (e.g. ko-KR)."),
    fmt: DocFormat = typer.Option(DocFormat.table, "--format", "-f", help="table, json or md."),
) -> None:
    """Show universal hazards, personas and locale sub-hazards."""
    from anjeon._errors import InputError
    from anjeon.taxonomy import taxonomy
    from anjeon.taxonomy._render import to_data, to_markdown

    tax = taxonomy()
    if locale is not None and locale not in tax.locales and locale != "en-US":
        known = ", ".join(sorted(tax.locales))
        raise InputError(f"--locale: no extension for {locale!r} (known: {known}, en-US)")
    if fmt is DocFormat.json:
        emit_json(to_data(tax, locale))
    elif fmt is DocFormat.md:
        sys.stdout.write(to_markdown(tax))
    else:
        rows = [
            [h.code, h.group, h.name.en, h.name.ko, h.crosswalk.llamaguard] for h in tax.hazards
        ]
        print_table("Universal hazards", ["code", "group", "name", "이름", "Llama Guard"], rows)
        subs = tax.subhazards(locale)
        if subs:
            refs = [
                "; ".join(f"{r.law.ko} {r.article or ''}".strip() for r in s.references if r.law)
                for s in subs
            ]
            print_table(
                "Locale sub-hazards",
                ["code", "name", "이름", "legal reference"],
                [[s.code, s.name.en, s.name.ko, ref] for s, ref in zip(subs, refs, strict=True)],
            )


@tax_app.command("crosswalk")
def crosswalk(
    to: CrosswalkTo = typer.Option(..., "--to", help="The other taxonomy."),
    locale: str | None = typer.Option(None, help="Only this locale's sub-hazards."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Map each hazard (and sub-hazard, through its parent) to another taxonomy."""
    from anjeon.taxonomy import taxonomy
    from anjeon.taxonomy._render import crosswalk_rows

    rows = crosswalk_rows(taxonomy(), to.value, locale)
    if fmt is Format.json:
        emit_json(rows)
    else:
        print_table(
            f"Crosswalk to {to.value}",
            ["code", "name", to.value],
            [[r["code"], r["name"], ", ".join(r[to.value]) or "—"] for r in rows],
        )
