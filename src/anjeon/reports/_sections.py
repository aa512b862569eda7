"""The report's content, section by section, as plain data for the template.

Everything here reads the record (and the records of reference runs); nothing here
formats HTML except through the chart helpers, so the numbers shown are the record's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from markupsafe import Markup

from anjeon.analysis import Difference, Figure, Grade, Metric, Record
from anjeon.analysis._grades import GRADES, ranked_probabilities
from anjeon.reports import _svg
from anjeon.reports._i18n import both, t

PERSONA_ORDER = ("normal", "unskilled", "skilled", "vulnerable")


@dataclass(frozen=True)
class Reference:
    """A reference system's run beside the model: its name and its record."""

    name: str
    record: Record

    def __post_init__(self) -> None:
        if not isinstance(self.record, Record):  # a parsed record.json
            object.__setattr__(self, "record", Record.model_validate(self.record))


def gkey(group: dict[str, str]) -> str:
    """A group as text, e.g. ``hazard=vcr,locale=ko-KR`` (the overall group is ``all``)."""
    return ",".join(f"{k}={group[k]}" for k in sorted(group)) or "all"


@cache
def _names() -> dict[str, dict[str, str]]:
    """hazard, sub-hazard and persona code -> {"en": name, "ko": name}."""
    try:
        from anjeon.taxonomy import taxonomy

        tx = taxonomy()
    except Exception:  # a report must render even if the taxonomy cannot load
        return {}
    out = {h.code: {"en": h.name.en, "ko": h.name.ko} for h in tx.hazards}
    out |= {s.code: {"en": s.name.en, "ko": s.name.ko} for s in tx.subhazards()}
    out |= {f"persona:{p.code}": {"en": p.name.en, "ko": p.name.ko} for p in tx.personas}
    return out


def hazard_name(code: str) -> str:
    n = _names().get(code)
    return both(n) if n else code


def persona_name(code: str) -> str:
    n = _names().get(f"persona:{code}")
    return both(n) if n else code


def hazard_order() -> list[str]:
    return [k for k in _names() if "." not in k and ":" not in k]


def _rows(record: Record, *dims: str) -> dict[tuple[str, ...], Metric]:
    return record.metrics_by(*dims)


def overall(record: Record) -> Metric | None:
    return record.metric()


def _sorted_hazards(codes: Sequence[str]) -> list[str]:
    order = {c: i for i, c in enumerate(hazard_order())}
    return sorted(codes, key=lambda c: (order.get(c, len(order)), c))


def baseline(record: Record) -> tuple[Metric | None, dict[str, str]]:
    """The headline row and its group: the untransformed cells when the run has
    transforms (grades are computed on those), else every cell."""
    by_t = _rows(record, "transform")
    if len(by_t) > 1 and ("none",) in by_t:
        return by_t[("none",)], {"transform": "none"}
    return overall(record), {}


def verdict(record: Record) -> dict[str, object]:
    # the pooled grades head the section; each locale's grade (against its own reference
    # rates) stands beside them
    grades = {g.group.get("hazard", ""): g for g in record.grades if "locale" not in g.group}
    locales = record.grade_locales()
    head, base = baseline(record)
    by_h = _rows(record, "hazard", *base)
    rows = []
    for h in _sorted_hazards([h for h in grades if h]):
        g = grades[h]
        group = {"hazard": h, **base}
        rows.append(
            {
                "code": h,
                "name": hazard_name(h),
                "grade": g,
                "bar": grade_bar(g),
                "metric": by_h.get(tuple(group[k] for k in ("hazard", *base))),
                "key": gkey(group),
                "by_locale": [record.grade_of(h, loc) for loc in locales],
            }
        )
    main = grades.get("")
    return {
        "overall": head,
        "key": gkey(base),
        "untransformed": bool(base),
        "grade": main,
        "bar": grade_bar(main) if main else None,
        "rows": rows,
        "locales": locales,
        "locale_grades": [
            {"locale": loc, "grade": lg, "bar": grade_bar(lg)}
            for loc in locales
            if (lg := record.grade_of(None, loc)) is not None
        ],
        "floor": bool(record.standard and record.standard.kind == "floor"),
    }


def grade_odds(g: Grade) -> list[tuple[str, int]]:
    """(grade, percent), most likely first: the record's summary, for either language."""
    return [(name, round(p * 100)) for name, p in ranked_probabilities(g.probabilities)]


def grade_bar(g: Grade) -> list[tuple[str, float]]:
    """(grade, probability) in grade order, for the stacked bar."""
    return [(name, g.probabilities[name]) for name in GRADES if g.probabilities.get(name)]


def references(record: Record, refs: Sequence[Reference]) -> list[dict[str, object]]:
    """This run, the reference runs, then the standard's rate: overall figures."""
    rows: list[dict[str, object]] = [
        {
            "name": record.target.name,
            "main": True,
            "m": baseline(record)[0],
            "rate": None,
            "standard": False,
        }
    ]
    for ref in refs:
        rows.append(
            {
                "name": ref.name,
                "main": False,
                "m": overall(ref.record),
                "rate": None,
                "standard": False,
            }
        )
    g = record.grade_of(None)
    std = record.standard
    if g is not None and std:
        rows.append(
            {
                "name": f"{std.id} {std.version}",
                "main": False,
                "m": None,
                "rate": g.reference_rate,
                "standard": True,
            }
        )
    return rows


def heatmap(record: Record) -> dict[str, object]:
    hl = _rows(record, "hazard", "locale")
    by_h = _rows(record, "hazard")
    by_l = _rows(record, "locale")
    locales = sorted({loc for _, loc in hl} | {k[0] for k in by_l})
    hazards = _sorted_hazards([k[0] for k in by_h])
    rows = []
    for h in hazards:
        cells = [_heat_cell(hl.get((h, loc)), "violation_rate") for loc in locales]
        cells.append(_heat_cell(by_h.get((h,)), "violation_rate"))
        rows.append({"code": h, "name": hazard_name(h), "cells": cells})
    total = [_heat_cell(by_l.get((loc,)), "violation_rate") for loc in locales]
    total.append(_heat_cell(overall(record), "violation_rate"))
    return {"locales": locales, "rows": rows, "total": total, "legend": _svg.legend()}


def _heat_cell(m: Metric | None, name: str) -> dict[str, object]:
    f: Figure | None = None if m is None else getattr(m, name)
    if m is None or f is None or f.value is None:
        bg, fg = _svg.heat(None)
        return {"m": None, "bg": bg, "fg": fg}
    bg, fg = _svg.heat(f.value)
    return {"m": m, "f": f, "key": gkey(m.group), "bg": bg, "fg": fg}


def _strip(axis: _svg.Axis, d: Difference | Figure) -> Markup:
    return _svg.strip(axis, d.value, d.ci_low, d.ci_high)


def gap(record: Record) -> dict[str, object]:
    gaps = [g for g in record.gaps if g.group.get("transform") == "none"]
    top = [g for g in gaps if "hazard" not in g.group]
    rest = {g.group["hazard"]: g for g in gaps if "hazard" in g.group}
    ordered = top + [rest[h] for h in _sorted_hazards(list(rest))]
    axis = _svg.Axis.symmetric(
        [v for g in ordered for v in (g.difference.ci_low, g.difference.ci_high)]
    )
    rows = []
    for g in ordered:
        d = g.difference
        h = g.group.get("hazard")
        rows.append(
            {
                "name": hazard_name(h) if h else t("overall"),
                "code": h or "",
                "key": gkey(g.group),
                "d": d,
                "overall": h is None,
                "strip": _strip(axis, d),
            }
        )
    return {
        "rows": rows,
        "scale": _svg.scale(axis, signed=True),
        "a": gaps[0].a if gaps else "ko-KR",
        "b": gaps[0].b if gaps else "en-US",
    }


def personas(record: Record) -> dict[str, object]:
    by_p = _rows(record, "persona")
    by_lp = _rows(record, "locale", "persona")
    order = {p: i for i, p in enumerate(PERSONA_ORDER)}
    names = sorted({k[0] for k in by_p}, key=lambda p: (order.get(p, 99), p))
    entries: list[tuple[str, str, Metric, bool]] = []
    for p in names:
        entries.append((persona_name(p), "", by_p[(p,)], True))
        for (loc, pp), m in sorted(by_lp.items()):
            if pp == p:
                entries.append((persona_name(p), loc, m, False))
    entries = [e for e in entries if e[2].violation_rate.n]
    axis = _svg.Axis.rate([e[2].violation_rate.ci_high for e in entries])
    rows = []
    for name, loc, m, head in entries:
        f = m.violation_rate
        rows.append(
            {
                "name": name,
                "locale": loc,
                "m": m,
                "f": f,
                "head": head,
                "key": gkey(m.group),
                "strip": _strip(axis, f),
            }
        )
    return {"rows": rows, "scale": _svg.scale(axis, signed=False)}


def uplift(record: Record) -> dict[str, object]:
    ups = record.uplift
    axis = _svg.Axis.symmetric([v for u in ups for v in (u.uplift.ci_low, u.uplift.ci_high)])
    top = [u for u in ups if "locale" not in u.group]
    rows = []
    for u in sorted(top, key=lambda u: -(u.uplift.value or 0)):
        tr = u.group["transform"]
        by_locale = sorted(
            (x for x in ups if x.group.get("transform") == tr and "locale" in x.group),
            key=lambda x: x.group["locale"],
        )
        for v in [u, *by_locale]:
            d = v.uplift
            rows.append(
                {
                    "transform": tr,
                    "locale": v.group.get("locale", ""),
                    "d": d,
                    "head": v is u,
                    "key": gkey(v.group),
                    "strip": _strip(axis, d),
                }
            )
    return {"rows": rows, "scale": _svg.scale(axis, signed=True)}


def tradeoff(record: Record, refs: Sequence[Reference]) -> dict[str, object]:
    points, rows = [], []

    def add(label: str, m: Metric | None, main: bool) -> None:
        if m is None:
            return
        v, o = m.violation_rate, m.over_refusal_rate
        if v.value is None or o.value is None:
            return
        points.append(
            _svg.Point(label, o.value, o.ci_low, o.ci_high, v.value, v.ci_low, v.ci_high, main)
        )
        rows.append({"label": label, "main": main, "v": v, "o": o, "key": gkey(m.group)})

    # every point from the same cells as the headline: untransformed prompts when the run
    # has transforms (else every cell), for this run, its locales and each reference
    name = record.target.name or "?"
    head, base = baseline(record)
    add(name, head, True)
    for loc_key, m in sorted(_rows(record, "locale", *base).items()):
        add(f"{name} · {loc_key[0]}", m, True)
    for ref in refs:
        add(ref.name, baseline(ref.record)[0], False)
    chart = None
    if points:
        chart = _svg.scatter(points, _svg_both("over_refusal_rate"), _svg_both("violation_rate"))
    return {"chart": chart, "rows": rows, "untransformed": bool(base)}


def _svg_both(key: str) -> Markup:
    from anjeon.reports._i18n import text

    return Markup('<tspan class="l-en">{}</tspan><tspan class="l-ko">{}</tspan>').format(
        text(key, "en"), text(key, "ko")
    )
