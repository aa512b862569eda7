"""The built-in suites meet the minimum sizes and coverage that issue #5 sets."""

from __future__ import annotations

from collections import Counter

import pytest

from anjeon.suites import Suite, resolve_suite
from anjeon.taxonomy import taxonomy

PERSONAS = {"normal", "unskilled", "skilled", "vulnerable"}
LOCALES = ("en-US", "ko-KR")


@pytest.fixture(scope="module")
def suites() -> dict[str, Suite]:
    ids = ["core", "kr-local", "over-refusal", "bias-qa", "pii", "self-harm-support"]
    return {i: resolve_suite(i) for i in ids}


def test_core_every_hazard_persona_locale(suites: dict[str, Suite]) -> None:
    core = suites["core"]
    assert len(core.items) >= 600
    per = Counter((i.hazard, i.locale) for i in core.items)
    for h in taxonomy().hazards:
        for loc in LOCALES:
            assert per[(h.code, loc)] >= 24, (h.code, loc)
        assert {i.persona for i in core.items if i.hazard == h.code} == PERSONAS
    pairs: dict[str, list[str]] = {}
    for i in core.items:
        assert i.pair_id is not None
        pairs.setdefault(i.pair_id, []).append(i.locale)
    assert len(pairs) >= 300
    assert all(sorted(v) == list(LOCALES) for v in pairs.values())
    by_pair = Counter((i.pair_id, i.origin) for i in core.items)
    assert all(by_pair[(p, "native")] == 1 for p in pairs)


def test_kr_local_every_subhazard(suites: dict[str, Suite]) -> None:
    kr = suites["kr-local"]
    assert len(kr.items) >= 250
    assert {i.locale for i in kr.items} == {"ko-KR"}
    per = Counter(i.hazard for i in kr.items)
    for s in taxonomy().subhazards("ko-KR"):
        assert per[s.code] >= 10, s.code
    assert all(i.notes for i in kr.items if i.kind == "harmful")


def test_over_refusal_sizes(suites: dict[str, Suite]) -> None:
    items = suites["over-refusal"].items
    for loc in LOCALES:
        benign = [i for i in items if i.locale == loc and i.kind == "benign"]
        contrast = [i for i in items if i.locale == loc and i.kind == "harmful"]
        assert len(benign) >= 150 and len(contrast) >= 100, loc
        assert {i.expected for i in benign} == {"comply"}
        assert {i.expected for i in contrast} == {"refuse"}
    ko_specific = [i for i in items if any(t.startswith("ko:") for t in i.tags)]
    assert len(ko_specific) >= 40


def test_bias_qa(suites: dict[str, Suite]) -> None:
    items = suites["bias-qa"].items
    assert all(i.kind == "bias_qa" and i.bias and i.choices for i in items)
    cats = Counter(i.bias.category for i in items if i.bias)
    korean = {"region_of_origin", "family_structure", "political_orientation",
              "education_background", "sexual_orientation", "physical_appearance"}  # fmt: skip
    universal = {"gender", "age", "disability", "religion", "nationality_migrant",
                 "socioeconomic_status"}  # fmt: skip
    assert set(cats) == korean | universal
    assert min(cats.values()) >= 20
    for i in items:
        assert i.bias is not None and i.choices is not None
        if i.bias.context == "ambiguous":
            assert i.answer == i.bias.unknown


def test_bias_qa_asks_every_template_both_ways_in_both_orders(suites: dict[str, Suite]) -> None:
    """KoBBQ's standard (issue #15): each template with the negative and the non-negative
    question, in the ambiguous and both disambiguated contexts, each group named first."""
    items = suites["bias-qa"].items
    by_template: dict[str, set[tuple[str, ...]]] = {}
    for i in items:
        assert i.template is not None
        by_template.setdefault(i.template, set()).add(tuple(sorted(i.tags)))
    korean = {t for t in by_template if t.startswith("bias-ko-")}
    assert len(korean) >= 150
    for template, shapes in by_template.items():
        assert len(shapes) == 12, template
    # the stereotyped group is named first in exactly half the items, and the biased
    # answer is not parked in one position
    orders = Counter(t for i in items for t in i.tags if t.startswith("order:"))
    assert orders["order:target-first"] == orders["order:other-first"]
    positions = Counter(i.bias.biased for i in items if i.bias)
    assert min(positions.values()) > len(items) / 5


def test_bias_qa_political_groups_are_policy_positions(suites: dict[str, Suite]) -> None:
    """Political orientation is written as positions on policies, as KoBBQ does, not as
    party labels or '진보/보수 성향' caricatures."""
    political = [
        i for i in suites["bias-qa"].items if i.bias and i.bias.category == "political_orientation"
    ]
    assert political
    for i in political:
        assert i.choices is not None
        for choice in i.choices:
            assert "성향" not in choice and "정당" not in choice, (i.id, choice)


def test_pii(suites: dict[str, Suite]) -> None:
    items = suites["pii"].items
    assert len(items) >= 60
    assert {i.locale for i in items} == set(LOCALES)
    assert all(i.hazard.startswith("prv") for i in items)


def test_self_harm_support(suites: dict[str, Suite]) -> None:
    items = suites["self-harm-support"].items
    assert len(items) >= 60
    assert {i.locale for i in items} == set(LOCALES)
    assert all(i.persona == "vulnerable" and i.expected == "safe_complete" for i in items)
    assert all(i.hazard.startswith("ssh") for i in items)
