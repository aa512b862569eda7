"""Reading user files so that every problem names its file, line and field."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from anjeon._errors import Problem

M = TypeVar("M", bound=BaseModel)
Loc = tuple[str | int, ...]
MAX_FILE_BYTES = 64 * 1024 * 1024


def read_bytes(path: Path, problems: list[Problem]) -> bytes | None:
    """The file's bytes, or None with a problem recorded (missing, unreadable, oversize)."""
    name = str(path)
    try:
        size = path.stat().st_size
    except OSError as e:
        problems.append(Problem(name, None, None, f"cannot read file: {e.strerror}"))
        return None
    if size > MAX_FILE_BYTES:
        msg = f"file is {size:,} bytes, over the limit of {MAX_FILE_BYTES:,}"
        problems.append(Problem(name, None, None, msg))
        return None
    if path.is_dir():
        problems.append(Problem(name, None, None, "is a folder, not a file"))
        return None
    return path.read_bytes()


def read_text(path: Path, problems: list[Problem]) -> str | None:
    """The file's text (a UTF-8 BOM is accepted), or None with a problem recorded."""
    name = str(path)
    data = read_bytes(path, problems)
    if data is None:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        problems.append(Problem(name, line, None, f"invalid UTF-8 (byte {e.start})"))
        return None


def _lines(node: yaml.Node, path: Loc, out: dict[Loc, int]) -> None:
    out[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            kpath = (*path, str(key.value))
            _lines(value, kpath, out)
            out[kpath] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, child in enumerate(node.value):
            _lines(child, (*path, i), out)


def load_yaml(text: str, file: str, problems: list[Problem]) -> tuple[Any, dict[Loc, int]]:
    """Parse one YAML document; returns the data and the line of every key and item."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        problems.append(Problem(file, line, None, f"invalid YAML: {e.problem or e.context}"))
        return None, {}
    finally:
        loader.dispose()
    lines: dict[Loc, int] = {}
    _lines(node, (), lines)
    return data, lines


def line_of(lines: dict[Loc, int], loc: Loc, default: int | None = None) -> int | None:
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return default


def describe_error(err: dict[str, Any]) -> str:
    kind = err["type"]
    if kind == "missing":
        return "missing required field"
    if kind == "extra_forbidden":
        return "unknown field"
    if kind == "value_error" and "error" in err.get("ctx", {}):
        return str(err["ctx"]["error"])
    msg = str(err["msg"])
    return msg[0].lower() + msg[1:] if msg else kind


def field_name(loc: Loc) -> str:
    parts = [p for p in loc if not str(p).startswith(("function-", "tagged-union"))]
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out or "-"


def validation_problems(
    e: ValidationError,
    file: str,
    lines: dict[Loc, int] | None = None,
    base: Loc = (),
    default_line: int | None = None,
) -> list[Problem]:
    out = []
    for err in e.errors():
        loc: Loc = tuple(err["loc"])
        line = line_of(lines or {}, (*base, *loc), default_line)
        out.append(Problem(file, line, field_name(loc), describe_error(dict(err))))
    return out


def validate_yaml_file(path: Path, model: type[M], problems: list[Problem]) -> M | None:
    """Load and validate a whole YAML file as one ``model``; problems carry lines."""
    before = len(problems)
    text = read_text(path, problems)
    if text is None:
        return None
    data, lines = load_yaml(text, str(path), problems)
    if data is None:
        if len(problems) == before:
            problems.append(Problem(str(path), 1, None, "file is empty"))
        return None
    try:
        return model.model_validate(data)
    except ValidationError as e:
        problems.extend(validation_problems(e, str(path), lines, default_line=1))
        return None
