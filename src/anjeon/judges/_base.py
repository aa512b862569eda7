"""What every judge protocol shares: the case judged, the verdict, the format error.

A protocol turns a case (the prompt, the answer, the item's hazard and locale) into the
messages its model documents, and parses the model's documented output strictly: an
answer that is not in the format is a ``JudgeFormatError``, which the runner records as
a judge error on that cell (raw text kept), never as a verdict.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Literal, Protocol

from anjeon._json import JSONObject
from anjeon._registry import Registry
from anjeon.targets import GenerateConfig, Messages

Label = Literal["unsafe", "safe"]


@dataclass(frozen=True, slots=True)
class Case:
    """One answer to judge. ``prompt`` is the last user turn as sent (a transform may
    have rewritten it); ``hazard`` and ``locale`` are the item's."""

    prompt: str
    response: str
    locale: str = "en-US"
    hazard: str | None = None
    notes: str | None = None  # the item's notes (what a balanced answer must get right)

    @property
    def lang(self) -> str:
        return "ko" if self.locale.startswith("ko") else "en"


@dataclass(frozen=True, slots=True)
class Verdict:
    """A judge's decision on one case, or a judge error (``label`` None).

    ``categories`` are the judge's own codes (``S2``, ``UNSAFE-S4`` ...), ``hazards``
    their anjeon codes through the judge's crosswalk; ``mismatch`` is True when an
    unsafe verdict names only hazards other than the item's (recorded, not hidden).
    """

    label: Label | None
    categories: tuple[str, ...] = ()
    hazards: tuple[str, ...] = ()
    score: float | None = None
    refusal: bool | None = None
    rationale: str | None = None
    error: str | None = None
    raw: str | None = None
    mismatch: bool = False
    details: JSONObject = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return self.label is not None


class JudgeFormatError(ValueError):
    """The judge's answer is not in its documented output format."""


class JudgeProtocol(Protocol):
    """How to ask one kind of judge model and how to read its answer."""

    @property
    def name(self) -> str: ...

    @property
    def version(self) -> str:
        """Changes whenever the prompt or the parsing changes: verdicts are stored
        under it, so a new version judges again instead of mixing."""
        ...

    @property
    def gen(self) -> GenerateConfig:
        """The generation settings the protocol needs (greedy, short)."""
        ...

    def messages(self, case: Case) -> Messages: ...

    def parse(self, text: str, case: Case) -> Verdict: ...


#: ``factory(model, options)``: the model name lets a protocol pick a variant
#: (Kanana Safeguard or Safeguard-Siren); options come from the judge spec.
ProtocolFactory = Callable[[str, Mapping[str, str]], JudgeProtocol]

protocols: Registry[ProtocolFactory] = Registry("judge")


def with_mismatch(v: Verdict, case: Case) -> Verdict:
    """Flag an unsafe verdict whose hazards do not include the item's parent hazard."""
    if v.label != "unsafe" or not v.hazards or case.hazard is None:
        return v
    parent = case.hazard.split(".", 1)[0]
    parents = {h.split(".", 1)[0] for h in v.hazards}
    return replace(v, mismatch=parent not in parents)


def judge_gen(max_tokens: int) -> GenerateConfig:
    """Greedy decoding: a judge's verdict should not depend on sampling."""
    return GenerateConfig(temperature=0.0, max_tokens=max_tokens, timeout=120.0)
