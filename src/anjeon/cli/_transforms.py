"""``anjeon transforms``: list the transforms, try one on a text."""

from __future__ import annotations

from typing import Any

import typer

from anjeon.cli._common import FORMAT_OPTION, Format, emit_json, print_table

transforms_app = typer.Typer(
    help="Adversarial transforms: list them, try one.", no_args_is_help=True
)


def register(app: typer.Typer) -> None:
    app.add_typer(transforms_app, name="transforms")


def _info(entry: Any) -> dict[str, Any]:
    from anjeon.transforms import params_of

    m = entry.meta
    return {
        "name": entry.name,
        "family": m["family"],
        "locales": list(m["locales"]),
        "reversible": m["reversible"],
        "needs_model": m["needs_model"],
        "params": params_of(entry),
        "description": m["description"],
    }


@transforms_app.command("list")
def list_(
    locale: str | None = typer.Option(
        None, "--locale", help="Only transforms meant for this locale, e.g. ko-KR."
    ),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """List the registered transforms: family, locales, reversibility, description."""
    from anjeon.transforms import applies_to, transform_sets, transforms

    infos = [_info(e) for e in transforms if locale is None or applies_to(e.name, locale)]
    if fmt is Format.json:
        sets = {k: {**v, "members": list(v["members"])} for k, v in transform_sets().items()}
        emit_json({"transforms": infos, "sets": sets})
        return
    rows = [
        [
            i["name"],
            i["family"],
            ", ".join(i["locales"]),
            "yes" if i["reversible"] else "no",
            "yes" if i["needs_model"] else "",
            f"{i['description']['en']}\n{i['description']['ko']}",
        ]
        for i in infos
    ]
    cols = ["name", "family", "locales", "reversible", "model", "description / 설명"]
    print_table("Transforms", cols, rows)
    typer.echo("sets: " + ", ".join(sorted(transform_sets())))


@transforms_app.command("apply")
def apply_(
    name: str = typer.Argument(..., help="A transform name, with [key=value] parameters."),
    text: str = typer.Argument(..., help="The text to transform."),
    seed: int = typer.Option(0, "--seed", help="The same seed gives the same output."),
    locale: str | None = typer.Option(
        None, "--locale", help="Locale of the text (default: ko-KR if it has Hangul, else en-US)."
    ),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """Print what a transform makes of TEXT (model-backed transforms are not offline)."""
    from anjeon._errors import InputError
    from anjeon.ko import has_hangul
    from anjeon.suites import Item
    from anjeon.transforms import apply, parse_spec

    specs = parse_spec(name)
    if len(specs) != 1:
        raise InputError(f"give one transform, not a set: {name!r} is {len(specs)} transforms")
    if not text.strip():
        raise InputError("TEXT is empty")
    if locale is None:
        locale = "ko-KR" if has_hangul(text) else "en-US"
    item = Item(
        id="cli", locale=locale, hazard="none", persona="normal", kind="benign",
        expected="comply", prompt=text,
    )  # fmt: skip
    out = apply(specs[0].name, specs[0].params, item, seed).prompt
    if fmt is Format.json:
        msgs = out if isinstance(out, str) else [m.model_dump() for m in out]
        emit_json({"transform": specs[0].key, "seed": seed, "locale": locale, "output": msgs})
    elif isinstance(out, str):
        typer.echo(out)
    else:
        for m in out:
            typer.echo(f"[{m.role}] {m.content}")


@transforms_app.command("recovery")
def recovery(
    suite: list[str] = typer.Option(
        ["core", "kr-local"], "--suite", "-s", help="Suites whose items to measure on."
    ),
    seed: int = typer.Option(0, "--seed"),
    keyboard: bool = typer.Option(False, "--keyboard", help="normalize_ko(keyboard=True)."),
    fmt: Format = FORMAT_OPTION,
) -> None:
    """How much normalize_ko recovers of each transform's output (offline transforms)."""
    from anjeon.suites import resolve_suite
    from anjeon.targets import keyword_hit
    from anjeon.transforms._recovery import measure_recovery

    items = [it for s in suite for it in resolve_suite(s).items]
    rows = measure_recovery(items, keyword_hit, seed=seed, keyboard=keyboard)
    if fmt is Format.json:
        emit_json(rows)
        return
    cols = ["transform", "lang", "n", "exact %", "keyword items", "seen before %", "seen after %"]
    keys = ["transform", "lang", "n", "exact", "keyword_items", "keywords_before",
            "keywords_after"]  # fmt: skip
    print_table("normalize_ko recovery", cols, [[r[k] for k in keys] for r in rows])
