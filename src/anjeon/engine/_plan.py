"""The plan: items x transforms x epochs, each cell with a stable key.

The plan is a generator, never a list: a 100,000-cell run holds one cell per
connection in memory, not the whole plan.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from anjeon._errors import InputError
from anjeon.suites import Item, Message, Suite
from anjeon.targets import GenerateConfig, Messages
from anjeon.transforms import TransformSpec, applies_to, apply, check_spec, transforms

NO_TRANSFORM = "none"


@dataclass(frozen=True, slots=True)
class Pending:
    """A model-backed transform the engine still has to compute for a cell (it needs the
    attacker, so it runs with the cell, not in the plan). ``key``: its rewrite key."""

    spec: TransformSpec
    seed: int
    key: str


@dataclass(slots=True)
class Cell:
    key: str
    seq: int
    suite: str
    item: Item
    transform: str
    params_json: str
    epoch: int
    # while ``pending``: the untransformed prompt, never sent (a cell whose rewrite
    # failed is recorded with it)
    messages: Messages
    pending: Pending | None = None


#: The stored rewrite (prompt JSON) of a rewrite key, or None: how a resumed run finds
#: what the attacker made for a cell that has not finished.
RewriteLookup = Callable[[str], str | None]


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


def rewrite_key(suite: str, item_json: str, transform: tuple[str, str], seed: int) -> str:
    """What a model-backed transform's output is stored under: one per (item,
    transform, parameters, seed); the attacker and the target are the run's own."""
    raw = "\0".join((suite, item_json, transform[0], transform[1], str(seed)))
    return hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()


def prompt_json(item: Item) -> str:
    p = item.prompt
    data: str | list[dict[str, str]] = p if isinstance(p, str) else [m.model_dump() for m in p]
    return json.dumps(data, ensure_ascii=False)


def with_prompt_json(item: Item, stored: str) -> Item:
    """The item with the prompt a rewrite stored (``prompt_json``'s inverse)."""
    data = json.loads(stored)
    prompt = data if isinstance(data, str) else [Message(**m) for m in data]
    return item.model_copy(update={"prompt": prompt})


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
    return apply(spec.name, spec.params, item, seed)


def needs_model(spec: TransformSpec) -> bool:
    """Whether the transform needs an attacker model (paraphrase, translate-pivot, …)."""
    if spec.name == NO_TRANSFORM:
        return False
    return bool(transforms.entry(spec.name).meta.get("needs_model"))


def check_transforms(specs: Sequence[TransformSpec], *, attacker: bool = False) -> None:
    """Unknown transforms or parameters (``anjeon.transforms`` decides) and, without an
    attacker, transforms that need one are bad input, caught before the run starts."""
    for s in specs:
        if s.name != NO_TRANSFORM and check_spec(s) and not attacker:
            raise InputError(
                f"transform {s.name!r} needs an attacker model: give `attacker` "
                "PROVIDER/MODEL (e.g. openai/gpt-4o-mini)"
            )


def applies(spec: TransformSpec, locale: str) -> bool:
    """Whether a cell exists for this transform and item locale (a Korean-script
    transform has no cell for an English item)."""
    return spec.name == NO_TRANSFORM or applies_to(spec.name, locale)


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
    rewrites: RewriteLookup | None = None,
) -> Iterator[Cell]:
    """Every cell not in ``skip`` (the finished ones), in plan order. A model-backed
    transform's cell comes with its stored rewrite (``rewrites``) or as ``pending``."""
    fp = target_fingerprint(target, gen)
    system = gen.system
    frozen = [(spec, spec.frozen(), needs_model(spec)) for spec in transforms]
    seq = 0
    for suite in suites:
        sid = suite.id
        for item in suite.items[: _n_items(suite, limit)]:
            item_json = item.model_dump_json(exclude_defaults=True)
            for spec, tf, model in frozen:
                if spec.name != NO_TRANSFORM and not applies(spec, item.locale):
                    continue
                for epoch in range(epochs):
                    seq += 1
                    key = cell_key(sid, item_json, tf, epoch, fp)
                    if key in skip:
                        continue
                    it = item
                    if model:
                        seed = transform_seed(sid, item.id, spec, epoch)
                        rkey = rewrite_key(sid, item_json, tf, seed)
                        stored = rewrites(rkey) if rewrites is not None else None
                        if stored is None:
                            msgs = to_messages(item, system)
                            pending = Pending(spec, seed, rkey)
                            yield Cell(key, seq, sid, item, spec.name, tf[1], epoch, msgs, pending)
                            continue
                        it = with_prompt_json(item, stored)
                    elif spec.name != NO_TRANSFORM:
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
