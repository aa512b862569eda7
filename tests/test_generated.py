"""Committed generated files (schemas, docs) are up to date with the code and data."""

from __future__ import annotations

import pytest

from anjeon._generate import GENERATED

from .conftest import ROOT


@pytest.mark.parametrize("rel", sorted(GENERATED))
def test_generated_file_is_fresh(rel: str) -> None:
    path = ROOT / rel
    assert path.exists(), f"{rel} is missing: run python -m anjeon._generate"
    assert path.read_text(encoding="utf-8") == GENERATED[rel](), (
        f"{rel} is stale: run python -m anjeon._generate"
    )
