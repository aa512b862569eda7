"""A scripted target for tests: answers from a mapping or a function."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping

from anjeon.targets._base import Messages, Reply, TargetError, last_user_text

Script = Mapping[str, str] | Callable[[Messages], "str | Reply"]


class ScriptedTarget:
    """``ScriptedTarget({"prompt": "answer"})`` or ``ScriptedTarget(fn)``.

    A mapping is keyed by the last user turn (``default`` answers the rest); a function
    gets the messages and returns text or a Reply, or raises ``TargetError`` to script a
    failure. Every call is recorded in ``calls`` as ``(cell, messages)``.
    """

    def __init__(
        self,
        script: Script,
        *,
        name: str = "scripted/test",
        default: str = "OK.",
        delay: float = 0.0,
    ) -> None:
        self.name = name
        self.script, self.default, self.delay = script, default, delay
        self.calls: list[tuple[str, Messages]] = []

    def describe(self) -> dict[str, object]:
        return {"name": self.name, "protocol": "scripted", "model": self.name}

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None

    async def generate(self, messages: Messages, cell: str) -> Reply:
        self.calls.append((cell, messages))
        if self.delay:
            await asyncio.sleep(self.delay)
        if callable(self.script):
            out = self.script(messages)
        else:
            out = self.script.get(last_user_text(messages), self.default)
        return out if isinstance(out, Reply) else Reply(out, "stop")


__all__ = ["ScriptedTarget", "TargetError"]
