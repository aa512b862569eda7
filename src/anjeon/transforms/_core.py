"""The transform registry and ``apply``: item -> item, deterministic given a seed.

A transform is a function ``fn(text, ctx, **params)`` over the last user turn that
returns new text, or a conversation (a message list ending with the user) for the
transforms that build one. Model-backed transforms are ``async`` and find their
attacker or translator on ``ctx``.
"""

from __future__ import annotations

import inspect
import json
import random
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any, Literal, TypeVar

import yaml

from anjeon._errors import InputError
from anjeon._registry import Entry, Registry, UnknownPluginError
from anjeon.suites import Item, Message

Output = str | list[Message]
#: An attacker, translator or target seen as a chat function: messages in, text out.
Chat = Callable[[list[Message]], Awaitable[str]]
Family = Literal[
    "encoding", "character", "template", "conversation", "model", "ko-script", "ko-lexical"
]

#: ``fn(text, ctx, **params)``: the new last turn or conversation (awaitable for the
#: model-backed transforms, registered with ``needs_model=True``)
TransformFn = Callable[..., Output | Awaitable[Output]]
F = TypeVar("F", bound=TransformFn)
#: parameters as given (``chosung[k=2]``, run.yaml): JSON values, passed as keywords
Params = dict[str, object]

transforms: Registry[TransformFn] = Registry("transform")


@dataclass(frozen=True)
class Context:
    """What a transform may look at besides the text: a seeded RNG and the item."""

    rng: random.Random
    item: Item
    attacker: Chat | None = None
    target: Chat | None = None

    @property
    def lang(self) -> str:
        """``ko`` or ``en``: the language of wrappers and shots for this item."""
        return "ko" if self.item.locale.startswith("ko") else "en"


def transform(
    name: str,
    *,
    family: Family,
    locales: Sequence[str],
    reversible: bool,
    en: str,
    ko: str,
    inverse: Callable[[str], str] | None = None,
    needs_model: bool = False,
) -> Callable[[F], F]:
    """Register a transform. ``locales`` are language codes (``ko``) or ``*``;
    ``inverse`` recovers the original text from the output of the default parameters."""
    if reversible != (inverse is not None):
        raise ValueError(f"transform {name!r}: a reversible transform needs an inverse")
    register = transforms.register(
        name,
        family=family,
        locales=tuple(locales),
        reversible=reversible,
        description={"en": en, "ko": ko},
        inverse=inverse,
        needs_model=needs_model,
    )

    def deco(fn: F) -> F:
        register(fn)
        return fn

    return deco


@cache
def load_data(name: str) -> Any:
    text = files("anjeon.transforms").joinpath(f"data/{name}").read_text(encoding="utf-8")
    return yaml.safe_load(text)


def params_of(entry: Entry[TransformFn]) -> Params:
    """The keyword parameters a transform accepts, with their defaults."""
    sig = inspect.signature(entry.obj)
    return {p.name: p.default for p in sig.parameters.values() if p.kind is p.KEYWORD_ONLY}


def applies_to(name: str, locale: str) -> bool:
    """Whether a transform is meant for items of this locale (``ko-KR`` matches ``ko``)."""
    locales = transforms.entry(name).meta["locales"]
    return isinstance(locales, tuple) and ("*" in locales or locale.split("-")[0] in locales)


def _canonical(params: object) -> str:
    return json.dumps(params, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _context(name: str, params: Params, item: Item, seed: int, **models: Chat | None) -> Context:
    # a str seed goes through SHA-512: the same on every run and platform
    rng = random.Random(f"{seed}\x1f{name}\x1f{_canonical(params)}\x1f{item.id}")
    return Context(rng=rng, item=item, **models)


def _check(name: str, params: Params) -> Entry[TransformFn]:
    try:
        entry = transforms.entry(name)
    except UnknownPluginError as e:
        raise InputError(str(e)) from None
    unknown = sorted(set(params) - set(params_of(entry)))
    if unknown:
        known = ", ".join(params_of(entry)) or "(none)"
        raise InputError(f"transform {name!r}: unknown parameter {unknown[0]!r}; known: {known}")
    return entry


def with_output(item: Item, out: Output) -> Item:
    """The item with its last user turn replaced by the transform's output."""
    if isinstance(out, str):
        if isinstance(item.prompt, str):
            return item.model_copy(update={"prompt": out})
        last = item.prompt[-1].model_copy(update={"content": out})
        return item.model_copy(update={"prompt": [*item.prompt[:-1], last]})
    if not out or out[-1].role != "user":
        raise ValueError("a conversation transform must end with a user message")
    history = [] if isinstance(item.prompt, str) else list(item.prompt[:-1])
    return item.model_copy(update={"prompt": [*history, *out]})


def apply(name: str, params: Params, item: Item, seed: int) -> Item:
    """Apply one transform to an item; the same (name, params, item, seed) always gives
    the same result. Model-backed transforms need ``apply_async``."""
    entry = _check(name, params)
    if entry.meta["needs_model"]:
        raise InputError(f"transform {name!r} needs an attacker model: use apply_async")
    out = entry.obj(item.text, _context(name, params, item, seed), **params)
    if inspect.isawaitable(out):  # an async transform registered without needs_model
        raise TypeError(f"transform {name!r} is async: register it with needs_model=True")
    return with_output(item, out)


async def apply_async(
    name: str,
    params: Params,
    item: Item,
    seed: int,
    *,
    attacker: Chat | None = None,
    target: Chat | None = None,
) -> Item:
    """Apply any transform; model-backed ones call ``attacker`` (and ``target``, for the
    multi-turn attacks that talk to the system under test)."""
    entry = _check(name, params)
    if not entry.meta["needs_model"]:
        return apply(name, params, item, seed)
    if attacker is None:
        raise InputError(f"transform {name!r} needs an attacker model (--attacker)")
    ctx = _context(name, params, item, seed, attacker=attacker, target=target)
    out = entry.obj(item.text, ctx, **params)
    return with_output(item, await out if inspect.isawaitable(out) else out)
