"""Built-in reference systems: deterministic, offline, documented as systems, not models.

They answer from templates in ``data/reference.yaml``, in the language of the user's
last turn (any Hangul, jamo included, means Korean).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

import yaml

from anjeon._errors import InputError
from anjeon.ko import has_hangul
from anjeon.targets._base import (
    GenerateConfig,
    Messages,
    Reply,
    Target,
    TargetSettings,
    last_user_text,
)

DATA = Path(__file__).parent / "data"
SYSTEMS = ("refuse-all", "comply-all", "keyword-guard", "keyword-guard-normalized")


@cache
def _texts() -> dict[str, dict[str, str]]:
    with open(DATA / "reference.yaml", encoding="utf-8") as f:
        data: dict[str, dict[str, str]] = yaml.safe_load(f)
    return data


@cache
def _lexicon() -> tuple[re.Pattern[str], tuple[str, ...]]:
    with open(DATA / "keyword_guard.yaml", encoding="utf-8") as f:
        data = yaml.safe_load(f)
    words = sorted(data["en"], key=len, reverse=True)
    en = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + r")\b", re.IGNORECASE)
    return en, tuple(data["ko"])


def keyword_hit(text: str) -> bool:
    """The naive guard's decision: an English word or a Korean stem from the lexicon."""
    en, ko = _lexicon()
    return en.search(text) is not None or any(k in text for k in ko)


def _normalizer() -> Callable[[str], str]:
    try:
        from anjeon.ko import normalize_ko
    except ImportError as e:  # pragma: no cover - anjeon.ko ships with the package
        raise InputError(f"builtin/keyword-guard-normalized needs anjeon.ko: {e}") from None
    return normalize_ko


class ReferenceSystem:
    """One of the built-in systems; ``generate`` never waits on I/O."""

    def __init__(self, system: str) -> None:
        self.system = system
        self.name = f"builtin/{system}"
        self._refuse = _texts()["refuse"]
        self._comply = {k: " ".join(v.split()) for k, v in _texts()["comply"].items()}
        self._normalize = _normalizer() if system == "keyword-guard-normalized" else None

    def describe(self) -> dict[str, object]:
        return {"name": self.name, "protocol": "builtin", "model": self.system}

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    def answer(self, text: str) -> str:
        lang = "ko" if has_hangul(text) else "en"
        if self.system == "refuse-all":
            return self._refuse[lang]
        if self.system == "comply-all":
            return self._comply[lang]
        checked = self._normalize(text) if self._normalize is not None else text
        return self._refuse[lang] if keyword_hit(checked) else self._comply[lang]

    async def generate(self, messages: Messages, cell: str) -> Reply:
        text = last_user_text(messages)
        out = self.answer(text)
        return Reply(out, "stop", len(text) // 4 + 1, len(out) // 4 + 1)


def make_builtin(model: str, settings: TargetSettings, gen: GenerateConfig) -> Target:
    if model not in SYSTEMS:
        known = ", ".join(f"builtin/{s}" for s in SYSTEMS)
        raise InputError(f"unknown built-in system 'builtin/{model}'; known: {known}")
    if settings.base_url:
        raise InputError("--base-url does not apply to builtin/ reference systems")
    return ReferenceSystem(model)
