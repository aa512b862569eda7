"""The one place secrets are removed from text, and server text made safe to print.

``redact`` is applied to everything anjeon stores or prints that came from a server or
holds a URL: error bodies, exception messages, answers. It removes

* each known secret (an API key, a URL password) as written, JSON-escaped and
  URL-encoded, since servers echo keys back in all three forms;
* credentials in URLs (``scheme://user:password@host``);
* the values of ``Authorization`` (Bearer, Basic, any scheme), ``x-api-key`` and
  ``api-key`` headers wherever they appear in text.

``for_terminal`` strips control characters (escape sequences included) from text a
server chose, so an error body cannot move the cursor, retitle the window or hide
lines when printed to a TTY.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus

MARK = "[REDACTED]"
#: secrets shorter than this are not searched for (they would match ordinary text)
MIN_SECRET = 4

_URL_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*://)[^/\s@'\"<>]+@")
_AUTH_VALUE = re.compile(
    r"(?i)(\bauthorization\b[\"']?\s*[:=]\s*[\"']?)"  # Authorization: / "authorization": "
    r"((?:bearer|basic|token|digest)\s+)?[^\s\"',;}]+"
)
_SCHEME_TOKEN = re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{8,}")
_KEY_HEADER = re.compile(
    r"(?i)(\b(?:x-api-key|api-key|x-goog-api-key)\b[\"']?\s*[:=]\s*[\"']?)[^\s\"',;}]+"
)
# C0 controls but tab and newline, DEL, C1 controls; ESC sequences go whole first
_ESCAPE_SEQ = re.compile(r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-_])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _forms(secret: str) -> set[str]:
    """A secret as written, JSON-escaped and URL-encoded (both flavours)."""
    return {
        secret,
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        quote(secret, safe=""),
        quote(secret),
        quote_plus(secret),
    }


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` without the given secrets (in every form) and without credentials in
    URLs or authorization headers."""
    for s in secrets:
        if len(s) < MIN_SECRET:
            continue
        for form in sorted(_forms(s), key=len, reverse=True):
            if form in text:
                text = text.replace(form, MARK)
    text = _URL_USERINFO.sub(lambda m: f"{m.group(1)}{MARK}@", text)
    text = _AUTH_VALUE.sub(lambda m: f"{m.group(1)}{m.group(2) or ''}{MARK}", text)
    text = _SCHEME_TOKEN.sub(lambda m: f"{m.group(1)} {MARK}", text)
    return _KEY_HEADER.sub(lambda m: f"{m.group(1)}{MARK}", text)


def for_terminal(text: str) -> str:
    """Server text fit to print: escape sequences and control characters removed (tab
    and newline kept), bidirectional overrides too."""
    return _CONTROL.sub("", _ESCAPE_SEQ.sub("", text))


def server_text(text: str, secrets: Iterable[str] = (), limit: int = 300) -> str:
    """A server's message as anjeon shows it: redacted, printable, one line, truncated."""
    one = " ".join(for_terminal(redact(text, secrets)).split())
    return one if len(one) <= limit else one[: limit - 1] + "…"
