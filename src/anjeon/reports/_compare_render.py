"""A comparison of runs as Markdown (for CI comments) and as a self-contained page."""

from __future__ import annotations

from markupsafe import Markup

from anjeon.analysis._labels import few_pairs
from anjeon.reports import _format, _svg
from anjeon.reports._cells import json_script
from anjeon.reports._compare import CompareData

METRICS = {"violation_rate": "violation", "over_refusal_rate": "over-refusal"}


def _group(g: dict[str, str]) -> str:
    return ", ".join(f"{k} {v}" for k, v in g.items()) or "all"


def _warn(n: int) -> str:
    w = few_pairs(n)
    return f" ⚠ {w}" if w else ""


def compare_markdown(data: CompareData) -> str:
    b = data["baseline"]
    lines = [f"### anjeon compare: baseline `{b['target']}` (run `{b['id']}`)", ""]
    lines.append(
        "_Paired on the same item, transform and epoch; difference = compared − baseline in "
        "percentage points with Newcombe's 95 % interval and an exact McNemar p-value; "
        "negative is better. The unit is the item's cluster (its epochs, template or pair "
        "count once). Violation is a refusal-based proxy._"
    )
    for c in data["comparisons"]:
        r = c["run"]
        lines += ["", f"#### `{r['target']}` (run `{r['id']}`): {c['matched_cells']} matched cells"]
        lines += [f"> warning: {w}" for w in c["warnings"]]
        if not c["rows"]:
            lines += ["", "No matching cells between these runs."]
            continue
        lines += ["", "| metric | group | baseline | compared | difference (pts) | p | pairs |",
                  "|---|---|---|---|---|---|---|"]  # fmt: skip
        for row in c["rows"]:
            d = row["difference"]
            lines.append(
                f"| {METRICS[row['metric']]} | {_group(row['group'])} | "
                f"{_format.pct(row['rate_a'])} | {_format.pct(row['rate_b'])} | "
                f"{_format.pts(d['value'])} {_format.signed_interval(d)} | "
                f"{_format.pvalue(d['mcnemar_p'])} | {d['n']}{_warn(d['n'])} |"
            )
    return "\n".join(lines) + "\n"


def compare_html(data: CompareData, lang: str = "en") -> str:
    from anjeon.reports._render import _env, _page_assets
    from anjeon.reports._sections import hazard_name

    sections = []
    for c in data["comparisons"]:
        ds = [
            v
            for row in c["rows"]
            for v in (row["difference"]["ci_low"], row["difference"]["ci_high"])
        ]
        axis = _svg.Axis.symmetric(ds)
        rows = []
        for row in c["rows"]:
            d = row["difference"]
            g = row["group"]
            label = _group(g)
            if "hazard" in g:
                label = Markup("<code>{}</code> ").format(g["hazard"]) + hazard_name(g["hazard"])
            rows.append(
                {
                    **row,
                    "label": label,
                    "strip": _svg.strip(axis, d["value"], d["ci_low"], d["ci_high"]),
                }
            )
        sections.append({**c, "rows": rows, "scale": _svg.scale(axis, signed=True)})
    return str(
        _env()
        .get_template("compare.html.j2")
        .render(
            data=data,
            sections=sections,
            lang=lang,
            **_page_assets("toggle.js"),
            data_json=Markup(json_script(data)),
        )
    )
