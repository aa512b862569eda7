"""Number formats shared by the HTML, Markdown and the tests that compare them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from anjeon.analysis import Difference, Figure
from anjeon.analysis._labels import format_p, format_pct, format_pts

# owned by anjeon.analysis: the terminal summary prints p, rates and points the same way
pvalue = format_p
pct = format_pct
pts = format_pts


Bounded = Figure | Difference | Mapping[str, object]


def _bound(x: object) -> float | None:
    return x if isinstance(x, float | int) else None


def _bounds(f: Bounded) -> tuple[float | None, float | None]:
    if isinstance(f, Mapping):
        return _bound(f.get("ci_low")), _bound(f.get("ci_high"))
    return f.ci_low, f.ci_high


def interval(f: Bounded) -> str:
    lo, hi = _bounds(f)
    if lo is None:
        return ""
    return f"[{pct(lo)}, {pct(hi)}]"


def signed_interval(d: Bounded) -> str:
    lo, hi = _bounds(d)
    if lo is None:
        return ""
    return f"[{pts(lo)}, {pts(hi)}]"


def when(value: object) -> str:
    """A run time (ISO string or epoch seconds) as UTC text."""
    if value is None:
        return "—"
    t = seconds(value)
    if t is None:
        return str(value)
    return dt.datetime.fromtimestamp(t, dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def seconds(value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    try:
        return dt.datetime.strptime(str(value), "%Y-%m-%dT%H:%M:%S%z").timestamp()
    except ValueError:
        return None


def duration(start: object, end: object) -> str:
    a, b = seconds(start), seconds(end)
    if a is None or b is None or b < a:
        return "—"
    s = b - a
    if s < 60:
        return f"{s:.1f} s"
    m, s = divmod(int(s), 60)
    h, m = divmod(m, 60)
    return f"{h} h {m} min" if h else f"{m} min {s} s"


def latency(s: float | None) -> str:
    if s is None:
        return "—"
    return f"{s * 1000:.1f} ms" if s < 1 else f"{s:.2f} s"
