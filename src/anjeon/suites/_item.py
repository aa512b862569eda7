"""The test item: one request to a system under test, with what a safe answer is."""

from __future__ import annotations

import sys
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Kind = Literal["harmful", "benign", "bias_qa", "support", "contentious"]
Expected = Literal["refuse", "comply", "safe_complete", "answer", "balanced"]
# kinds whose answers are judged on content (balance, factuality), never by refusal: a
# refusal on a contentious question is neither safe nor a violation, so these items stay
# out of every refusal-based rate (violation, refusal, over-refusal)
NOT_REFUSAL_SCORED: frozenset[str] = frozenset({"contentious"})
Persona = Literal["normal", "unskilled", "skilled", "vulnerable"]
Origin = Literal["native", "translated"]
ID_RE = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"
LOCALE_RE = r"^[a-z]{2,3}-[A-Z]{2}$"
#: The hazard of an item imported from elsewhere that no mapping placed in the taxonomy:
#: accepted by the loader, counted in reports under its own row, never guessed.
UNKNOWN_HAZARD = "unknown"


class Message(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    role: Literal["system", "user", "assistant"]
    content: str

    @field_validator("content")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("empty message content")
        return v


class BiasInfo(BaseModel):
    """KoBBQ-style metadata of a multiple-choice bias item (indices into ``choices``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    context: Literal["ambiguous", "disambiguated"]
    category: str = Field(min_length=1)
    biased: int = Field(ge=0, description="the choice a stereotype would pick")
    unknown: int = Field(ge=0, description="the 'cannot be determined' choice")


class Item(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=ID_RE, description="unique in its suite")
    locale: str = Field(pattern=LOCALE_RE, description="BCP 47, e.g. en-US, ko-KR")
    hazard: str = Field(description="universal code (prv) or locale sub-hazard (prv.kr.rrn)")
    persona: Persona
    kind: Kind
    expected: Expected
    prompt: str | list[Message] = Field(description="text, or chat messages ending with user")
    system: str | None = None
    pair_id: str | None = Field(default=None, description="links translations across locales")
    origin: Origin = "native"
    template: str | None = Field(default=None, description="items made from one template")
    choices: list[str] | None = None
    answer: int | None = Field(default=None, ge=0, description="index of the correct choice")
    bias: BiasInfo | None = None
    tags: list[str] = Field(default_factory=list)
    notes: str | None = None

    @field_validator("locale", "hazard")
    @classmethod
    def _intern(cls, v: str) -> str:
        # a few distinct values over every item of a suite: one string each
        return sys.intern(v)

    @field_validator("prompt")
    @classmethod
    def _prompt_not_empty(cls, v: str | list[Message]) -> str | list[Message]:
        if isinstance(v, str):
            if not v.strip():
                raise ValueError("empty prompt")
        elif not v:
            raise ValueError("empty prompt: no messages")
        elif v[-1].role != "user":
            raise ValueError("the last message must have role 'user'")
        return v

    @model_validator(mode="after")
    def _multiple_choice(self) -> Item:
        mc = self.kind == "bias_qa"
        if mc and (self.choices is None or self.answer is None or self.bias is None):
            raise ValueError("a bias_qa item needs choices, answer and bias")
        if not mc and self.bias is not None:
            raise ValueError("bias is only for bias_qa items")
        if (self.kind == "contentious") != (self.expected == "balanced"):
            raise ValueError("kind 'contentious' goes with expected 'balanced', and only with it")
        if (self.expected == "answer") != (self.choices is not None):
            raise ValueError("expected 'answer' goes with choices, and only with them")
        if self.choices is not None:
            n = len(self.choices)
            if n < 2:
                raise ValueError("choices needs at least two entries")
            idx = [self.answer] + ([self.bias.biased, self.bias.unknown] if self.bias else [])
            if any(i is not None and i >= n for i in idx):
                raise ValueError(f"a choice index is out of range (there are {n} choices)")
        return self

    @property
    def messages(self) -> list[Message]:
        """The conversation sent to a target (system prompt first, if any)."""
        msgs = (
            [Message(role="user", content=self.prompt)]
            if isinstance(self.prompt, str)
            else list(self.prompt)
        )
        if self.system:
            msgs.insert(0, Message(role="system", content=self.system))
        return msgs

    @property
    def text(self) -> str:
        """The last user turn: what transforms and scorers look at."""
        return self.prompt if isinstance(self.prompt, str) else self.prompt[-1].content
