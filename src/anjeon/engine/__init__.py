"""The engine: the plan (items x transforms x epochs) run against a target with bounded
concurrency, retries, rate limits and one batching writer into the run store."""

from anjeon.engine._attack import Rewriter, chat_from_target
from anjeon.engine._engine import Engine, EngineConfig, EngineResult
from anjeon.engine._plan import (
    NO_TRANSFORM,
    Cell,
    Pending,
    cell_key,
    count_cells,
    iter_cells,
    to_messages,
)
from anjeon.engine._run import (
    Prepared,
    RunOutcome,
    RunSpec,
    execute,
    prepare,
    spec_from_config,
)
from anjeon.engine._scoring import inline_scorer
from anjeon.engine._signals import interrupt_on_signals
from anjeon.transforms import TransformSpec

__all__ = [
    "NO_TRANSFORM",
    "Cell",
    "Engine",
    "EngineConfig",
    "EngineResult",
    "Pending",
    "Prepared",
    "Rewriter",
    "RunOutcome",
    "RunSpec",
    "TransformSpec",
    "cell_key",
    "chat_from_target",
    "count_cells",
    "execute",
    "inline_scorer",
    "interrupt_on_signals",
    "iter_cells",
    "prepare",
    "spec_from_config",
    "to_messages",
]
