"""The target boundary: base URLs made right per protocol, answers made storable.

Whatever a server sends, what leaves a target is a ``Reply`` of plain values (text or
None, a short finish reason, token counts that fit in 64 bits, no lone surrogates), or
a ``TargetError`` naming what was odd with the raw body kept, truncated, for diagnosis.
The writer downstream can then never fail on an answer.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit, urlunsplit

from anjeon._errors import InputError
from anjeon._redact import redact
from anjeon.targets._base import Reply, TargetError

#: the finish reason of an answer cut at ``max_answer_chars`` (the original is dropped)
TRUNCATED = "anjeon_truncated"
MAX_FINISH_CHARS = 64
MAX_TOKENS_VALUE = 2**63 - 1
RAW_KEEP = 500  # characters of an odd body kept in the error message
_SURROGATE = re.compile("[\ud800-\udfff]")


# -- base URLs ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BaseURL:
    url: str  # without credentials, normalised for the protocol
    user: str | None = None
    password: str | None = None


def normalize_base_url(raw: str, protocol: str, flag: str = "--base-url") -> BaseURL:
    """Check a base URL and make it what the protocol's paths hang from.

    OpenAI-compatible: ``{url}/chat/completions``, so a bare host gets ``/v1``, and a
    pasted ``.../chat/completions`` is cut back. Anthropic: ``{url}/v1/messages``, so a
    trailing ``/v1`` (or ``/v1/messages``) is cut back. Credentials (``user:pw@``) are
    taken out of the URL and returned apart. Raises InputError, never a traceback.
    """
    text = raw.strip()
    if not text.startswith(("http://", "https://")):
        raise InputError(f"{flag} must start with http:// or https://: {_shown(text)}")
    try:
        parts = urlsplit(text)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as e:
        raise InputError(f"{flag} is not a valid URL ({e}): {_shown(text)}") from None
    if not host:
        raise InputError(f"{flag} has no host: {_shown(text)}")
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password is not None else None
    netloc = parts.netloc.rsplit("@", 1)[-1]
    path = parts.path.rstrip("/")
    if protocol == "anthropic":
        for tail in ("/v1/messages", "/v1"):
            if path.endswith(tail):
                path = path[: -len(tail)]
                break
    else:
        if path.endswith("/chat/completions"):
            path = path[: -len("/chat/completions")]
        if not path:
            path = "/v1"
    url = urlunsplit((parts.scheme, netloc, path, parts.query, "")).rstrip("/")
    return BaseURL(url, user, password)


def _shown(url: str) -> str:
    # the URL as an error may show it: never its credentials
    return repr(redact(url))


# -- answers -----------------------------------------------------------------------------


class OddAnswer(Exception):
    """The answer has a shape no coercion makes sense of."""


def clean_text(text: str) -> str:
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


def content_text(value: object) -> str | None:
    """The text of a message's content: a string, a list of parts (strings or
    ``{"type": "text", "text": ...}``, joined), a number (written out) or None."""
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise OddAnswer(f"content is a boolean ({value})")
    if isinstance(value, int | float):
        return json.dumps(value)
    if isinstance(value, list):
        texts = []
        for part in value:
            if isinstance(part, str):
                texts.append(part)
            elif isinstance(part, dict) and isinstance(part.get("text"), str):
                texts.append(part["text"])
            elif isinstance(part, dict) and isinstance(part.get("refusal"), str):
                texts.append(part["refusal"])
            elif isinstance(part, dict) and "text" in part:
                raise OddAnswer(f"a text part holds {type(part['text']).__name__}, not text")
        return "".join(texts)
    raise OddAnswer(f"content is {type(value).__name__}, not text")


def finish_text(value: object) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return clean_text(text[:MAX_FINISH_CHARS])


def token_count(value: object) -> int | None:
    """A token count that fits the store (0 .. 2^63-1), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str):
        digits = value.strip()
        # ASCII digits only: "¹" is a digit to str.isdigit() and not to int()
        value = int(digits) if digits.isascii() and digits.isdigit() else None
    if isinstance(value, int) and 0 <= value <= MAX_TOKENS_VALUE:
        return value
    return None


def make_reply(
    content: object, finish: object, tokens_in: object, tokens_out: object, max_chars: int | None
) -> Reply:
    """A storable reply; raises OddAnswer when the content cannot be read as text."""
    text = content_text(content)
    reason = finish_text(finish)
    if text is not None:
        text = clean_text(text)
        if max_chars is not None and len(text) > max_chars:
            text, reason = text[:max_chars], TRUNCATED
    return Reply(text, reason, token_count(tokens_in), token_count(tokens_out))


def odd_answer(why: str, raw: bytes | str, secrets: tuple[str, ...]) -> TargetError:
    """A cell error for an answer of an odd shape, with the start of the raw body."""
    body = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    snippet = clean_text(redact(body[:RAW_KEEP], secrets))
    return TargetError("malformed", f"unexpected response shape ({why}): {snippet}")
