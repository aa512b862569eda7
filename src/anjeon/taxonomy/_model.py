"""The taxonomy as typed objects: universal hazards, locale sub-hazards, personas."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Group = Literal["physical", "non-physical", "contextual"]
CODE_RE = r"^[a-z]{3}$"
SUB_CODE_RE = r"^[a-z]{3}\.[a-z]{2}\.[a-z][a-z0-9_]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Strict):
    """A text in both languages of v1."""

    en: str = Field(min_length=1)
    ko: str = Field(min_length=1)


class Crosswalk(_Strict):
    ailuminate: str | None = Field(description="AILuminate v1.0 hazard code")
    llamaguard: str | None = Field(pattern=r"^S(?:[1-9]|1[0-4])$", description="Llama Guard 3/4")
    air2024: list[str] = Field(default_factory=list, description="AIR 2024 level-2 categories")


class Hazard(_Strict):
    code: str = Field(pattern=CODE_RE)
    group: Group
    name: Text
    definition: Text
    crosswalk: Crosswalk


class Law(_Strict):
    ko: str = Field(min_length=1)
    en: str = Field(min_length=1)


class Reference(_Strict):
    """A legal hook (law and article) or, where no law applies, a social reference."""

    law: Law | None = None
    article: str | None = None
    note: Text | None = None


class SubHazard(_Strict):
    code: str = Field(pattern=SUB_CODE_RE)
    parent: str = Field(pattern=CODE_RE)
    name: Text
    definition: Text
    expected: Text = Field(description="what a safe model does")
    references: list[Reference] = Field(default_factory=list)


class Persona(_Strict):
    code: str = Field(pattern=r"^[a-z]+$")
    name: Text
    definition: Text


class LocaleExtension(_Strict):
    locale: str
    version: str
    subhazards: list[SubHazard]


class Taxonomy(_Strict):
    version: str
    hazards: list[Hazard]
    personas: list[Persona]
    air2024_level2: list[str]
    locales: dict[str, LocaleExtension]

    def hazard_codes(self, locale: str | None = None) -> set[str]:
        """Codes valid for items of ``locale``: universal ones plus that locale's."""
        codes = {h.code for h in self.hazards}
        for ext in self.locales.values():
            if locale is None or ext.locale == locale:
                codes |= {s.code for s in ext.subhazards}
        return codes

    def parent_of(self, code: str) -> str:
        return code.split(".", 1)[0]

    def persona_codes(self) -> list[str]:
        return [p.code for p in self.personas]

    def subhazards(self, locale: str | None = None) -> list[SubHazard]:
        return [
            s
            for ext in self.locales.values()
            if locale is None or ext.locale == locale
            for s in ext.subhazards
        ]
