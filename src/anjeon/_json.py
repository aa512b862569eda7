"""The shape of JSON data, named once for every module that reads or writes it.

``JSONValue`` is what ``json.loads`` can return; ``JSONObject`` is one JSON object
(a record section, a report payload, a config). Use them for data that really is
JSON; a value that is only passed through or printed is ``object``, so that a reader
has to narrow it before use.
"""

from __future__ import annotations

from typing import TypeAlias

JSONScalar: TypeAlias = str | int | float | bool | None
JSONValue: TypeAlias = "dict[str, JSONValue] | list[JSONValue] | JSONScalar"
JSONObject: TypeAlias = "dict[str, JSONValue]"
