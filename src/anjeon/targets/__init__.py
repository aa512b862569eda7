"""Targets: the systems under test, named ``provider/model``.

HTTP providers (OpenAI-compatible servers and Anthropic) are presets in
``data/presets.yaml``; ``builtin/`` holds the offline reference systems.
"""

from anjeon.targets._base import (
    GenerateConfig,
    Messages,
    Reply,
    Target,
    TargetError,
    TargetFactory,
    TargetSettings,
)
from anjeon.targets._builtin import SYSTEMS as REFERENCE_SYSTEMS
from anjeon.targets._builtin import ReferenceSystem, keyword_hit
from anjeon.targets._registry import make_target, presets, targets

__all__ = [
    "REFERENCE_SYSTEMS",
    "GenerateConfig",
    "Messages",
    "ReferenceSystem",
    "Reply",
    "Target",
    "TargetError",
    "TargetFactory",
    "TargetSettings",
    "keyword_hit",
    "make_target",
    "presets",
    "targets",
]
