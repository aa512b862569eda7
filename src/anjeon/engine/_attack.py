"""The attacker in a run: computes a cell's model-backed transform (paraphrase,
translate-pivot, crescendo) when the engine reaches the cell.

A rewrite is computed once and stored with the cell (``rewrites`` in run.db), so a
resumed run sends the very prompt it would have sent and never asks the attacker again
for it. Failures of the attacker (and of the target during a crescendo's earlier turns)
are ``TargetError``s, so the engine records and retries them like the target's own.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from anjeon.engine._plan import Cell, prompt_json, to_messages
from anjeon.store._store import RewriteRow
from anjeon.suites import Message
from anjeon.targets import Target, TargetError
from anjeon.transforms import Chat, apply_async

#: Computes the pending transform of a cell in place and returns the row to store.
RewriteFn = Callable[[Cell], Awaitable[RewriteRow]]

ATTACKER_CELL = ":attacker"  # suffix of the cell id the attacker's requests carry
TURN_CELL = ":turn"  # suffix of the cell id of a crescendo's earlier turns to the target


class Rewriter:
    """``await rewriter(cell)``: the cell's item and messages become the transformed
    ones, and the returned row records them (with how many model calls they took)."""

    def __init__(self, attacker: Target, target: Target, system: str | None) -> None:
        self.attacker, self.target, self.system = attacker, target, system

    async def __call__(self, cell: Cell) -> RewriteRow:
        pending = cell.pending
        if pending is None:
            raise ValueError("the cell has no pending transform")
        calls = 0
        sys_prompt = cell.item.system or self.system
        prompt = cell.item.prompt
        earlier = [] if isinstance(prompt, str) else list(prompt[:-1])  # a chat item's turns

        async def ask(target: Target, cell_id: str, who: str, messages: list[Message]) -> str:
            nonlocal calls
            calls += 1
            wire = [{"role": m.role, "content": m.content} for m in messages]
            try:
                reply = await target.generate(wire, cell_id)
            except TargetError as e:
                e.message = f"{who} {target.name}: {e.message}"
                raise
            return reply.text or ""

        async def attacker(messages: list[Message]) -> str:
            return await ask(self.attacker, cell.key + ATTACKER_CELL, "attacker", messages)

        async def target(messages: list[Message]) -> str:
            # the system under test sees what the cell's transcript will show: the system
            # prompt and a chat item's earlier turns before the crescendo's own
            messages = [*earlier, *messages]
            if sys_prompt and messages[0].role != "system":
                messages = [Message(role="system", content=sys_prompt), *messages]
            return await ask(self.target, cell.key + TURN_CELL, "crescendo turn", messages)

        spec = pending.spec
        t0 = time.perf_counter()
        try:
            item = await apply_async(
                spec.name, spec.params, cell.item, pending.seed, attacker=attacker, target=target
            )
        except TargetError:
            raise
        except Exception as e:  # a transform's bug or an unusable answer ends this cell only
            raise TargetError("transform", f"transform {spec.name!r} failed: {e!r}") from e
        latency = time.perf_counter() - t0
        cell.item, cell.messages, cell.pending = item, to_messages(item, self.system), None
        return (
            pending.key,
            cell.suite,
            item.id,
            spec.name,
            cell.params_json,
            str(pending.seed),
            prompt_json(item),
            self.attacker.name,
            calls,
            latency,
            time.time(),
        )


def chat_from_target(target: Target, cell: str = "transform") -> Chat:
    """A target (already started) as a transform's chat function: messages in, text out."""

    async def chat(messages: list[Message]) -> str:
        wire = [{"role": m.role, "content": m.content} for m in messages]
        reply = await target.generate(wire, cell)
        return reply.text or ""

    return chat
