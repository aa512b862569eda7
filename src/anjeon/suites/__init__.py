"""Item schema and suites: versioned item banks with a content hash."""

from anjeon.suites._item import UNKNOWN_HAZARD, BiasInfo, Item, Message
from anjeon.suites._load import (
    Manifest,
    Suite,
    builtin_suite_ids,
    content_hash,
    load_suite,
    resolve_suite,
)

__all__ = [
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
