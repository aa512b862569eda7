"""Generic rendering of nested results (checks, scorer accuracy) as rows of text, so that
sections whose shape grows over time still show every number they hold."""

from __future__ import annotations

from typing import TypeGuard

from anjeon.reports._format import interval, pct

FIGURE_KEYS = {"value", "ci_low", "ci_high", "n"}


def is_figure(v: object) -> TypeGuard[dict[str, object]]:
    return isinstance(v, dict) and set(v) >= FIGURE_KEYS


def scalar(v: object) -> str:
    if is_figure(v):
        if v["value"] is None:
            return "—"
        if isinstance(v["value"], float) and -1 <= v["value"] <= 1:
            return f"{pct(v['value'])} {interval(v)} n={v['n']}"
        return f"{v['value']} n={v['n']}"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:.4g}"
    if v is None:
        return "—"
    return str(v)


def flatten(value: object, prefix: str = "") -> list[tuple[str, str]]:
    """(path, text) rows: nested mappings joined with " · ", lists of rows with a
    ``group`` labelled by their group."""
    if is_figure(value) or not isinstance(value, dict | list):
        return [(prefix or "—", scalar(value))]
    rows: list[tuple[str, str]] = []
    if isinstance(value, dict):
        for k, v in value.items():
            rows += flatten(v, f"{prefix} · {k}" if prefix else str(k))
        return rows
    for i, v in enumerate(value):
        label = str(i + 1)
        if isinstance(v, dict) and isinstance(v.get("group"), dict):
            label = ", ".join(f"{k}={g}" for k, g in sorted(v["group"].items())) or "all"
            v = {k: x for k, x in v.items() if k != "group"}
        rows += flatten(v, f"{prefix} · {label}" if prefix else label)
    return rows
