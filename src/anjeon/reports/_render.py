"""The self-contained HTML report: one file, CSS and script inline, no request of any
kind (a Content-Security-Policy in the page forbids them as a second line of defence)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from markupsafe import Markup

from anjeon._json import JSONObject
from anjeon._version import __version__
from anjeon.analysis import PROXY_NOTE, Record, load_record
from anjeon.reports import _format, _judges, _sections
from anjeon.reports._cells import CellsSummary, json_script, write_cells
from anjeon.reports._flatten import flatten
from anjeon.reports._i18n import DATA, LANGS, both, strings, t, text
from anjeon.reports._sections import Reference

if TYPE_CHECKING:
    import jinja2

    from anjeon.reports._cells_job import CellsJob

REPORT_NAME = "report.html"
TEMPLATES = Path(__file__).parent / "templates"


@cache
def _env() -> jinja2.Environment:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,  # model output and every other string is escaped
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        t=t,
        text=text,
        has_string=lambda key: key in strings(),
        flatten=flatten,
        pct=_format.pct,
        interval=_format.interval,
        pts=_format.pts,
        signed_interval=_format.signed_interval,
        pvalue=_format.pvalue,
        when=_format.when,
        duration=_format.duration,
        latency=_format.latency,
        grade_odds=_sections.grade_odds,
        basis=_basis,
        few_pairs=_few_pairs,
    )
    return env


def _basis(basis: str, judges: Sequence[str] = ()) -> Markup:
    """What decided violation, in both languages (one owner: anjeon.analysis._labels)."""
    from anjeon.analysis._labels import basis_label

    return both({lang: basis_label(basis, lang, judges) for lang in ("en", "ko")})


def _few_pairs(n: int) -> Markup | None:
    from anjeon.analysis._labels import few_pairs

    en, ko = few_pairs(n, "en"), few_pairs(n, "ko")
    return None if en is None or ko is None else both({"en": en, "ko": ko})


@cache
def _asset(name: str) -> Markup:
    # the assets are ours and contain no "</style" or "</script"
    return Markup((DATA / name).read_text(encoding="utf-8"))


def _sha256(script: str) -> str:
    """For the page's CSP: only this exact inline script may run."""
    import base64
    import hashlib

    return base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")


def _page_assets(script: str) -> dict[str, str]:
    """What every page inlines (the report and the comparison): the stylesheet, its one
    script with the hash its CSP allows, and the version that made it."""
    js = _asset(script)
    return {"version": __version__, "css": _asset("report.css"), "script": js,
            "script_hash": _sha256(js)}  # fmt: skip


def _ui(cells: CellsSummary) -> dict[str, object]:
    """The strings and names the table's script needs (``cells``: at least its dims)."""
    names = _sections._names()
    hazards = {c: names[c] for c in cells["dims"]["hazard"] if c in names}
    for c in cells["dims"]["hazard"]:
        p = (c or "").split(".", 1)[0]
        if p in names:
            hazards[p] = names[p]
    personas = {
        p: names[f"persona:{p}"] for p in cells["dims"]["persona"] if f"persona:{p}" in names
    }
    return {"strings": strings(), "names": {"hazard": hazards, "persona": personas}}


def checks(record: Record) -> list[tuple[str, list[tuple[str, str]]]]:
    found = record.checks.model_dump()
    return [(name, flatten(value)) for name, value in found.items() if value]


# where the cells' JSON and the UI strings go (the UI names the hazards and personas
# the cells hold, so it comes after them); data cannot forge a slot: every "<" of data
# is escaped
CELLS_SLOT = "<!--anjeon:cells-->"
UI_SLOT = "<!--anjeon:ui-->"


def render_html(
    record: Record | JSONObject,
    cells: CellsSummary,
    *,
    references: Sequence[Reference] = (),
    lang: str = "en",
    generate: JSONObject | None = None,
) -> str:
    """The report of one run from its record and its cells (see ``cells_data``)."""
    return "".join(render_parts(record, cells, references=references, lang=lang, generate=generate))


def render_parts(
    record: Record | JSONObject,
    cells: CellsSummary,
    *,
    references: Sequence[Reference] = (),
    lang: str = "en",
    generate: JSONObject | None = None,
) -> tuple[str, str, str]:
    """The page in three parts (before, the cells' JSON, after), so that the largest
    part is written as it is rather than copied through the template."""
    head, middle, tail = _page(
        load_record(record),
        cells["n"],
        cells["total"],
        references=references,
        lang=lang,
        generate=generate,
    )
    return head, json_script(cells), middle + json_script(_ui(cells)) + tail


def _page(
    record: Record,
    n: int,
    total: int,
    *,
    references: Sequence[Reference] = (),
    lang: str = "en",
    generate: JSONObject | None = None,
) -> tuple[str, str, str]:
    """The page around its two slots: (before the cells, between them and the UI
    strings, after)."""
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}")
    target = record.target
    is_reference = (target.name or "").startswith("builtin/") or target.kind == "reference"
    truncated = n if total > n else 0
    page = str(
        _env()
        .get_template("report.html.j2")
        .render(
            record=record,
            lang=lang,
            **_page_assets("report.js"),
            is_reference=is_reference,
            v=_sections.verdict(record),
            refs=_sections.references(record, references),
            hm=_sections.heatmap(record),
            gp=_sections.gap(record),
            ps=_sections.personas(record),
            up=_sections.uplift(record),
            to=_sections.tradeoff(record, references),
            checks=checks(record),
            jd=_judges.section(record),
            proxy_note=PROXY_NOTE,
            generate={k: v for k, v in (generate or {}).items() if v not in (None, [], {})},
            truncated=truncated,
            ui_json=Markup(UI_SLOT),
            record_json=Markup(json_script(record.model_dump())),
            cells_json=Markup(CELLS_SLOT),
        )
    )
    head, rest = page.split(CELLS_SLOT)
    middle, tail = rest.split(UI_SLOT)
    return head, middle, tail


def load_reference(run_dir: Path) -> Reference:
    """A reference run's record: its record.json if present, else built now."""
    from anjeon.analysis import RECORD_NAME, build_record

    path = run_dir / RECORD_NAME
    record = load_record(path) if path.is_file() else build_record(run_dir)
    return Reference(record.target.name or run_dir.name, record)


def write_report(
    run_dir: Path,
    record: Record | JSONObject,
    *,
    references: Sequence[Reference] = (),
    lang: str = "en",
    max_cells: int | None = None,
    out: Path | None = None,
    cells_job: CellsJob | None = None,
) -> Path:
    """Write ``report.html`` (or ``out``) for the run; returns its path. ``cells_job``
    (``start_cells``): the drill-down data, written meanwhile by another process."""
    from anjeon.store import RunStore, read_config

    generate = read_config(run_dir).get("generate")
    store = RunStore.open(run_dir)
    try:
        total = store.n_cells()
    finally:
        store.close()
    head, middle, tail = _page(
        load_record(record),
        total if max_cells is None else min(total, max_cells),
        total,
        references=references,
        lang=lang,
        generate=generate if isinstance(generate, dict) else None,
    )
    path = out or run_dir / REPORT_NAME
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(head)
        cells = None
        if cells_job is not None and max_cells is None:  # the job writes every cell
            cells = cells_job.copy_to(f)
        elif cells_job is not None:
            cells_job.close()
        if cells is None:
            # the cells stream from the store into the page, never held whole
            cells = write_cells(run_dir, f, max_cells)
        f.write(middle)
        f.write(json_script(_ui(cells)))
        f.write(tail)
    tmp.replace(path)
    return path
