"""The plan: items x transforms x epochs, each cell with a stable key.

The plan is a generator, never a list: a 100,000-cell run holds one cell per
connection in memory, not the whole plan.
"""

from __future__ import annotations

import hashlib
import importlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from anjeon._errors import InputError
from anjeon.suites import Item, Suite
from anjeon.targets import GenerateConfig, Messages

NO_TRANSFORM = "none"


@dataclass(frozen=True)
class TransformSpec:
    name: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def params_json(self) -> str:
        return json.dumps(self.params, sort_keys=True, ensure_ascii=False, separators=(",", ":"))

    def frozen(self) -> tuple[str, str]:
        return self.name, self.params_json

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "params": dict(self.params)}


@dataclass(slots=True)
class Cell:
    key: str
    seq: int
    suite: str
    item: Item
    transform: str
    params_json: str
    epoch: int
    messages: Messages


def target_fingerprint(target: str, gen: GenerateConfig) -> str:
    """What about the target changes its answers (the key's target part)."""
    return json.dumps([target, gen.fingerprint()], sort_keys=True, separators=(",", ":"))


def cell_key(suite: str, item_json: str, transform: tuple[str, str], epoch: int, fp: str) -> str:
    """``transform`` is (name, canonical params JSON), see ``TransformSpec.frozen``."""
    raw = "\0".join((suite, item_json, transform[0], transform[1], str(epoch), fp))
    return hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()


def transform_seed(suite: str, item_id: str, spec: TransformSpec, epoch: int) -> int:
    """Deterministic per (item, transform, epoch) and independent of the target, so every
    model compared on a suite sees the very same disguised prompts."""
    h = hashlib.blake2b(digest_size=8)
    h.update("\0".join((suite, item_id, spec.name, spec.params_json, str(epoch))).encode())
    return int.from_bytes(h.digest(), "big")


def to_messages(item: Item, system: str | None) -> Messages:
    """Wire messages straight from the item's fields (no model objects on the hot path)."""
    p = item.prompt
    if isinstance(p, str):
        msgs = [{"role": "user", "content": p}]
    else:
        msgs = [{"role": m.role, "content": m.content} for m in p]
    sys_prompt = item.system or system
    if sys_prompt and msgs[0]["role"] != "system":
        msgs.insert(0, {"role": "system", "content": sys_prompt})
    return msgs


def apply_transform(spec: TransformSpec, item: Item, seed: int) -> Item:
    """Look the transform up lazily: ``anjeon.transforms.apply(name, params, item, seed)``."""
    transforms: Any = importlib.import_module("anjeon.transforms")
    result: Item = transforms.apply(spec.name, spec.params, item, seed)
    return result


def _transforms_module() -> Any:
    try:
        return importlib.import_module("anjeon.transforms")
    except ImportError:
        raise InputError("transforms are not available in this installation") from None


def check_transforms(specs: Sequence[TransformSpec]) -> None:
    """Unknown transforms, unknown parameters and transforms that need an attacker model
    are bad input, caught before the run starts."""
    named = [s for s in specs if s.name != NO_TRANSFORM]
    if not named:
        return
    mod = _transforms_module()
    for s in named:
        if s.name not in mod.transforms:
            known = ", ".join(mod.transforms.names())
            raise InputError(f"unknown transform {s.name!r}; known: {known}")
        entry = mod.transforms.entry(s.name)
        unknown = sorted(set(s.params) - set(mod.params_of(entry)))
        if unknown:
            raise InputError(f"transform {s.name!r}: unknown parameter {unknown[0]!r}")
        if entry.meta.get("needs_model"):
            raise InputError(
                f"transform {s.name!r} needs an attacker model, which "
                "`anjeon run` does not take yet"
            )


def applies(spec: TransformSpec, locale: str) -> bool:
    """Whether a cell exists for this transform and item locale (a Korean-script
    transform has no cell for an English item)."""
    if spec.name == NO_TRANSFORM:
        return True
    result: bool = _transforms_module().applies_to(spec.name, locale)
    return result


def count_cells(
    suites: Sequence[Suite], transforms: Sequence[TransformSpec], epochs: int, limit: int | None
) -> int:
    n = 0
    for suite in suites:
        locales = [it.locale for it in suite.items[: _n_items(suite, limit)]]
        n += sum(applies(t, loc) for loc in locales for t in transforms)
    return n * epochs


def _n_items(suite: Suite, limit: int | None) -> int:
    return len(suite.items) if limit is None else min(limit, len(suite.items))


def iter_cells(
    suites: Sequence[Suite],
    transforms: Sequence[TransformSpec],
    epochs: int,
    target: str,
    gen: GenerateConfig,
    *,
    skip: set[str] | frozenset[str] = frozenset(),
    limit: int | None = None,
) -> Iterator[Cell]:
    """Every cell not in ``skip`` (the finished ones), in plan order."""
    fp = target_fingerprint(target, gen)
    system = gen.system
    frozen = [(spec, spec.frozen()) for spec in transforms]
    seq = 0
    for suite in suites:
        sid = suite.id
        for item in suite.items[: _n_items(suite, limit)]:
            item_json = item.model_dump_json(exclude_defaults=True)
            for spec, tf in frozen:
                if spec.name != NO_TRANSFORM and not applies(spec, item.locale):
                    continue
                for epoch in range(epochs):
                    seq += 1
                    key = cell_key(sid, item_json, tf, epoch, fp)
                    if key in skip:
                        continue
                    it = item
                    if spec.name != NO_TRANSFORM:
                        it = apply_transform(spec, item, transform_seed(sid, item.id, spec, epoch))
                    yield Cell(
                        key,
                        seq,
                        sid,
                        it,
                        spec.name,
                        tf[1],
                        epoch,
                        to_messages(it, system),
                    )
