"""Transform specs (``jamo,chosung[k=2]``) and named transform sets (``ko-script``)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import TypedDict

from anjeon._errors import InputError
from anjeon._json import JSONValue
from anjeon.transforms._core import Params, _canonical, _check, load_data, transforms


@dataclass(frozen=True)
class TransformSpec:
    """One transform with its parameters: what ``--transforms`` names, what the plan
    expands and what ``run.yaml`` records. ``key`` is its text form (``chosung[k=2]``);
    ``params_json`` its canonical parameters, part of every cell key."""

    name: str
    params: Params = field(default_factory=dict)

    @property
    def key(self) -> str:
        if not self.params:
            return self.name
        inner = ",".join(f"{k}={_canonical(v)}" for k, v in sorted(self.params.items()))
        return f"{self.name}[{inner}]"

    @property
    def params_json(self) -> str:
        return _canonical(self.params)

    def frozen(self) -> tuple[str, str]:
        return self.name, self.params_json

    def to_dict(self) -> dict[str, object]:
        return {"name": self.name, "params": dict(self.params)}

    def __hash__(self) -> int:
        return hash(self.key)


def check_spec(spec: TransformSpec) -> bool:
    """Unknown transforms and parameters are InputError; returns whether the transform
    needs an attacker model (paraphrase, translate-pivot, crescendo)."""
    return bool(_check(spec.name, spec.params).meta.get("needs_model"))


class TransformSet(TypedDict):
    """A named set of transforms (``data/sets.yaml``): its members may be sets too."""

    description: dict[str, str]
    members: list[str]


def transform_sets() -> dict[str, TransformSet]:
    """The named sets with their descriptions; ``all`` is every registered transform."""
    sets: dict[str, TransformSet] = dict(load_data("sets.yaml"))
    sets["all"] = {
        "description": {"en": "Every registered transform", "ko": "등록된 모든 변환"},
        "members": transforms.names(),
    }
    return sets


def expand_set(name: str) -> list[str]:
    """The transform names of a set, nested sets flattened, in order, no repeats."""
    sets = transform_sets()
    if name not in sets:
        raise InputError(f"unknown transform set {name!r}; known: {', '.join(sorted(sets))}")
    out: list[str] = []

    def walk(n: str, seen: tuple[str, ...]) -> None:
        if n in seen:
            raise InputError(f"transform set {n!r} contains itself")
        for m in sets[n]["members"]:
            if m in sets:
                walk(m, (*seen, n))
            elif m not in out:
                out.append(m)

    walk(name, ())
    return out


def _value(raw: str) -> JSONValue:
    try:
        value: JSONValue = json.loads(raw)
    except json.JSONDecodeError:
        return raw
    return value


def _split(spec: str) -> list[str]:
    parts, depth, cur = [], 0, ""
    for ch in spec:
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return [p.strip() for p in parts if p.strip()]


def parse_spec(spec: str) -> list[TransformSpec]:
    """``"jamo,chosung[k=2],ko-lexical"`` -> specs. A set name expands to its members;
    parameters go in brackets as ``key=value`` (values read as JSON, else as text)."""
    out: list[TransformSpec] = []
    sets = transform_sets()
    for part in _split(spec):
        name, _, rest = part.partition("[")
        name = name.strip()
        params: Params = {}
        if rest:
            if not rest.endswith("]"):
                raise InputError(f"transform spec {part!r}: missing ']'")
            for kv in _split(rest[:-1]):
                key, eq, raw = kv.partition("=")
                if not eq:
                    raise InputError(f"transform spec {part!r}: expected key=value, got {kv!r}")
                params[key.strip()] = _value(raw.strip())
        if name in sets and name not in transforms:
            if params:
                raise InputError(f"transform set {name!r} takes no parameters")
            specs = [TransformSpec(n) for n in expand_set(name)]
        else:
            _check(name, params)
            specs = [TransformSpec(name, params)]
        out.extend(s for s in specs if s not in out)
    return out
