"""Item schema and suites: versioned item banks with a content hash."""

from anjeon.suites._item import NOT_REFUSAL_SCORED, UNKNOWN_HAZARD, BiasInfo, Item, Message
from anjeon.suites._load import (
    Manifest,
    Suite,
    builtin_suite_ids,
    content_hash,
    load_suite,
    resolve_suite,
)

__all__ = [
    "NOT_REFUSAL_SCORED",
    "UNKNOWN_HAZARD",
    "BiasInfo",
    "Item",
    "Manifest",
    "Message",
    "Suite",
    "builtin_suite_ids",
    "content_hash",
    "load_suite",
    "resolve_suite",
]
