"""Registries by decorator, one per plugin kind.

Built-ins register exactly as third-party plugins do: through the ``anjeon``
entry-point group. Each entry point names a callable (or a module) that, when
loaded, registers its plugins with the decorators below.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Generic, Literal, TypeVar

Kind = Literal["target", "transform", "scorer", "judge"]
T = TypeVar("T")

ENTRY_POINT_GROUP = "anjeon"
_plugins_loaded = False


def load_plugins() -> None:
    """Load every ``anjeon`` entry point once (built-ins included). A third-party plugin
    that fails to load is reported on stderr and skipped: one broken package must not
    stop every run. The built-ins' failure is a bug and is raised."""
    global _plugins_loaded
    if _plugins_loaded:
        return
    _plugins_loaded = True
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            obj = ep.load()
            if callable(obj):
                obj()
        except Exception as e:
            if ep.value.startswith("anjeon."):
                raise
            print(f"warning: anjeon plugin {ep.name!r} ({ep.value}) failed to load and is "
                  f"skipped: {e!r}", file=sys.stderr)  # fmt: skip


@dataclass(frozen=True)
class Entry(Generic[T]):
    name: str
    obj: T
    meta: dict[str, object] = field(default_factory=dict)


class UnknownPluginError(LookupError):
    def __init__(self, kind: str, name: str, known: list[str]) -> None:
        self.kind, self.name, self.known = kind, name, known
        super().__init__(f"unknown {kind} {name!r}; known: {', '.join(known) or '(none)'}")


class Registry(Generic[T]):
    def __init__(self, kind: Kind) -> None:
        self.kind = kind
        self._entries: dict[str, Entry[T]] = {}

    def register(self, name: str, **meta: object) -> Callable[[T], T]:
        """Decorator: ``@transforms.register("jamo", family="ko-script")``."""

        def deco(obj: T) -> T:
            self.add(name, obj, **meta)
            return obj

        return deco

    def add(self, name: str, obj: T, **meta: object) -> None:
        if name in self._entries and self._entries[name].obj is not obj:
            raise ValueError(f"{self.kind} {name!r} is already registered")
        self._entries[name] = Entry(name, obj, dict(meta))

    def entry(self, name: str) -> Entry[T]:
        load_plugins()
        try:
            return self._entries[name]
        except KeyError:
            raise UnknownPluginError(self.kind, name, self.names()) from None

    def get(self, name: str) -> T:
        return self.entry(name).obj

    def names(self) -> list[str]:
        load_plugins()
        return sorted(self._entries)

    def __iter__(self) -> Iterator[Entry[T]]:
        load_plugins()
        return iter([self._entries[n] for n in sorted(self._entries)])

    def __contains__(self, name: object) -> bool:
        load_plugins()
        return name in self._entries
