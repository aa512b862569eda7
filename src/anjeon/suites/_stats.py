"""Coverage counts of a suite, for ``anjeon suites stats`` and the suite docs."""

from __future__ import annotations

from collections import Counter
from typing import Any

from anjeon.suites._load import Suite


def _count(values: list[str]) -> dict[str, int]:
    return dict(sorted(Counter(values).items()))


def suite_info(suite: Suite) -> dict[str, Any]:
    m = suite.manifest
    return {
        "id": m.id,
        "version": m.version,
        "title": m.title.model_dump(),
        "license": m.license,
        "sha256": suite.sha256,
        "n_items": len(suite.items),
        "locales": sorted({i.locale for i in suite.items}),
        "path": str(suite.path),
    }


def suite_stats(suite: Suite) -> dict[str, Any]:
    """Stable keys: the suite info, totals per dimension, and every populated cell."""
    items = suite.items
    cells = Counter((i.hazard, i.locale, i.persona, i.kind) for i in items)
    return {
        **suite_info(suite),
        "by_locale": _count([i.locale for i in items]),
        "by_kind": _count([i.kind for i in items]),
        "by_expected": _count([i.expected for i in items]),
        "by_persona": _count([i.persona for i in items]),
        "by_hazard": _count([i.hazard for i in items]),
        "pairs": len({i.pair_id for i in items if i.pair_id}),
        "cells": [
            {"hazard": h, "locale": loc, "persona": p, "kind": k, "n": n}
            for (h, loc, p, k), n in sorted(cells.items())
        ],
    }
