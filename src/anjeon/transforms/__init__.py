"""Transforms: functions item -> item that disguise a prompt, deterministic given a seed.

``apply(name, params, item, seed)`` is what the plan calls; ``parse_spec`` reads
``--transforms jamo,chosung[k=1]`` and set names (``ko-script``, ``universal``, ``all``).
The built-in transforms register through the ``anjeon`` entry point like any plugin.
"""

from anjeon.transforms._core import (
    Chat,
    Context,
    Output,
    applies_to,
    apply,
    apply_async,
    params_of,
    transform,
    transforms,
    with_output,
)
from anjeon.transforms._spec import (
    TransformSpec,
    check_spec,
    expand_set,
    parse_spec,
    transform_sets,
)

__all__ = [
    "Chat",
    "Context",
    "Output",
    "TransformSpec",
    "applies_to",
    "apply",
    "apply_async",
    "check_spec",
    "expand_set",
    "params_of",
    "parse_spec",
    "transform",
    "transform_sets",
    "transforms",
    "with_output",
]
