"""Reading user files so that every problem names its file, line and field.

Hardened against hostile files: only regular files are read (a FIFO would hang, a
symlink to ``/dev/zero`` would never end), always with a bound; YAML aliases may not
multiply a document (an alias bomb of a few hundred bytes expands to billions of nodes)
nor nest it beyond ``MAX_DEPTH``; JSON is held to the same depth; lone surrogates, which
no file can carry but escapes (``"\\ud800"``) can make, are reported where they are.
"""

from __future__ import annotations

import errno
import json
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from anjeon._errors import Problem
from anjeon._json import JSONValue

M = TypeVar("M", bound=BaseModel)
Loc = tuple[str | int, ...]
MAX_FILE_BYTES = 64 * 1024 * 1024
#: nesting deeper than this is refused (items nest three or four levels)
MAX_DEPTH = 64
#: nodes that aliases may add to a YAML document beyond the ones written out
MAX_ALIAS_NODES = 10_000
_SURROGATE = re.compile("[\ud800-\udfff]")


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "is a folder, not a file"
    if stat.S_ISFIFO(mode):
        return "is a named pipe (FIFO), not a regular file"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "is a device, not a regular file"
    if stat.S_ISSOCK(mode):
        return "is a socket, not a regular file"
    return "is not a regular file"


def read_bytes(path: Path, problems: list[Problem], limit: int | None = None) -> bytes | None:
    """The file's bytes, or None with a problem recorded (missing, unreadable, not a
    regular file, over ``limit``). Symlinks are followed; what they point at is checked
    on the opened file, and read with a bound whatever its size claims."""
    name = str(path)
    limit = MAX_FILE_BYTES if limit is None else limit
    try:
        # O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as e:
        if e.errno == errno.EISDIR:
            problems.append(Problem(name, None, None, "is a folder, not a file"))
        else:
            problems.append(Problem(name, None, None, f"cannot read file: {e.strerror}"))
        return None
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            problems.append(Problem(name, None, None, _kind(mode)))
            return None
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = os.read(fd, min(1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                msg = f"file is over the limit of {limit:,} bytes"
                problems.append(Problem(name, None, None, msg))
                return None
        return b"".join(chunks)
    except OSError as e:
        problems.append(Problem(name, None, None, f"cannot read file: {e.strerror}"))
        return None
    finally:
        os.close(fd)


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


def bad_text(data: object) -> tuple[Loc, str] | None:
    """The first string (key or value) that cannot be written as UTF-8, with where it is
    and why, or None. Iterative, so it is safe on any depth."""
    stack: list[tuple[Loc, object]] = [((), data)]
    while stack:
        loc, value = stack.pop()
        if isinstance(value, str):
            m = _SURROGATE.search(value)
            if m is not None:
                code = f"U+{ord(m.group()):04X}"
                return loc, f"invalid text: lone surrogate {code} at character {m.start() + 1}"
        elif isinstance(value, dict):
            for k, v in value.items():
                kloc = (*loc, str(k))
                if isinstance(k, str) and _SURROGATE.search(k):
                    return kloc, "invalid text: lone surrogate in a key"
                stack.append((kloc, v))
        elif isinstance(value, list):
            stack.extend(((*loc, i), v) for i, v in enumerate(value))
    return None


def depth(data: object, limit: int = MAX_DEPTH) -> int:
    """How deeply lists and objects nest (iterative; stops counting past ``limit``)."""
    deepest = 0
    stack: list[tuple[int, object]] = [(0, data)]
    while stack:
        d, value = stack.pop()
        if isinstance(value, dict | list):
            d += 1
            deepest = max(deepest, d)
            if d > limit:
                return d
            stack.extend((d, v) for v in (value.values() if isinstance(value, dict) else value))
    return deepest


def _no_constant(name: str) -> JSONValue:
    raise ValueError(f"{name} is not valid JSON")


def load_json(text: str | bytes) -> JSONValue:
    """``json.loads`` held to ``MAX_DEPTH``, refusing ``NaN`` and ``Infinity`` (not
    JSON, and a figure computed from them is not a number); raises ValueError with a
    reason."""
    try:
        data: JSONValue = json.loads(text, parse_constant=_no_constant)
    except RecursionError:
        raise ValueError(f"nested more than {MAX_DEPTH} levels deep") from None
    if _opened(text) > MAX_DEPTH and depth(data) > MAX_DEPTH:
        raise ValueError(f"nested more than {MAX_DEPTH} levels deep")
    return data


def _opened(text: str | bytes) -> int:
    """How many brackets the text opens: every level of nesting opens one, so text
    with few (a suite's line, an answer) needs no walk of what it parsed to."""
    if isinstance(text, str):
        return text.count("{") + text.count("[")
    return text.count(b"{") + text.count(b"[")


def jsonl_rows(
    data: str | bytes, name: str, problems: list[Problem]
) -> Iterator[tuple[int, JSONValue]]:
    """(line number, value) of each non-blank line of JSON Lines, each bad line a
    problem at its line as it is reached. Lines end at ``\n`` only (U+2028, U+0085
    and the like are characters inside a string, not line breaks); a UTF-8 BOM is
    accepted; bytes are decoded line by line, so invalid UTF-8 is one line's problem;
    values are read by ``load_json``."""
    if isinstance(data, bytes):
        data = data.removeprefix(b"\xef\xbb\xbf")
        lines: list[str | bytes] = list(data.split(b"\n"))
    else:
        lines = list(data.removeprefix("\ufeff").split("\n"))
    for n, raw in enumerate(lines, 1):
        try:
            line = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        except UnicodeDecodeError as e:
            problems.append(Problem(name, n, None, f"invalid UTF-8 (column {e.start + 1})"))
            continue
        if not line.strip():
            continue
        try:
            value = load_json(line)
        except json.JSONDecodeError as e:
            problems.append(Problem(name, n, None, f"invalid JSON: {e.msg} (column {e.colno})"))
            continue
        except ValueError as e:
            problems.append(Problem(name, n, None, f"invalid JSON: {e}"))
            continue
        yield n, value


class _Refused(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line, self.message = line, message


class _Loader(yaml.SafeLoader):
    """SafeLoader that stops composing past ``MAX_DEPTH`` (at once, where the plain one
    would recurse a thousand levels before failing)."""

    _depth = 0

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                line = self.peek_event().start_mark.line + 1  # type: ignore[no-untyped-call]
                raise _Refused(line, f"nested more than {MAX_DEPTH} levels deep")
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _check_nodes(root: yaml.Node, max_aliases: int | None) -> None:
    """Refuse a node graph that aliases blow up, nest too deeply or that loops.

    Post-order over the graph as composed (aliases are shared nodes), memoising each
    node's expanded size, so a bomb is measured without being expanded.
    """
    size: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)]
    refs = 0
    while stack:
        node, d, done = stack.pop()
        key = id(node)
        line = node.start_mark.line + 1
        if done:
            on_path.discard(key)
            kids = _children(node)
            size[key] = 1 + sum(size[id(k)] for k in kids)
            continue
        if key in on_path:
            raise _Refused(line, "an alias refers to the node that contains it")
        if key in size:
            refs += 1
            continue
        if d > MAX_DEPTH:
            raise _Refused(line, f"nested more than {MAX_DEPTH} levels deep")
        kids = _children(node)
        on_path.add(key)
        stack.append((node, d, True))
        stack.extend((k, d + 1, False) for k in kids)
    if refs and max_aliases is not None and max_aliases == 0:
        raise _Refused(1, "aliases (*name) are not allowed in this file; write the values out")
    written = len(size)
    expanded = size[id(root)]
    if expanded - written > MAX_ALIAS_NODES:
        raise _Refused(
            1,
            f"aliases expand this document by {expanded - written:,} nodes, "
            f"over the limit of {MAX_ALIAS_NODES:,}",
        )


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


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


def load_yaml(
    text: str, file: str, problems: list[Problem], *, aliases: bool = True
) -> tuple[object, dict[Loc, int]]:
    """Parse one YAML document; returns the data and the line of every key and item.

    ``aliases=False`` refuses every alias (item files: each item is written out whole).
    Bombs, loops, deep nesting and invalid text are problems, never a hang or a crash.
    """
    try:
        # the reader refuses control characters here, already
        loader = _Loader(text)
    except yaml.reader.ReaderError as e:
        at = text[: e.position].count("\n") + 1
        msg = f"invalid YAML: character U+{e.character:04X} is not allowed"
        problems.append(Problem(file, at, None, msg))
        return None, {}
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}
        _check_nodes(node, None if aliases else 0)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else None
        problems.append(Problem(file, line, None, f"invalid YAML: {e.problem or e.context}"))
        return None, {}
    except yaml.YAMLError as e:
        problems.append(Problem(file, None, None, f"invalid YAML: {e}"))
        return None, {}
    except _Refused as e:
        problems.append(Problem(file, e.line, None, e.message))
        return None, {}
    except RecursionError:
        problems.append(Problem(file, None, None, f"nested more than {MAX_DEPTH} levels deep"))
        return None, {}
    finally:
        loader.dispose()
    lines: dict[Loc, int] = {}
    _lines(node, (), lines)
    bad = bad_text(data)
    if bad is not None:
        loc, msg = bad
        problems.append(Problem(file, line_of(lines, loc, 1), field_name(loc), msg))
        return None, {}
    return data, lines


def line_of(lines: dict[Loc, int], loc: Loc, default: int | None = None) -> int | None:
    for end in range(len(loc), -1, -1):
        if loc[:end] in lines:
            return lines[loc[:end]]
    return default


def describe_error(err: ErrorDetails) -> str:
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
        out.append(Problem(file, line, field_name(loc), describe_error(err)))
    return out


def validate_yaml_file(
    path: Path, model: type[M], problems: list[Problem], lines_out: dict[Loc, int] | None = None
) -> M | None:
    """Load and validate a whole YAML file as one ``model``; problems carry lines (and
    ``lines_out``, when given, receives the line of every key for later checks)."""
    before = len(problems)
    text = read_text(path, problems)
    if text is None:
        return None
    data, lines = load_yaml(text, str(path), problems)
    if lines_out is not None:
        lines_out.update(lines)
    if data is None:
        if len(problems) == before:
            problems.append(Problem(str(path), 1, None, "file is empty"))
        return None
    try:
        return model.model_validate(data)
    except ValidationError as e:
        problems.extend(validation_problems(e, str(path), lines, default_line=1))
        return None
