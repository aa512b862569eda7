"""What every target shares: generation settings, the reply, the error, the protocol."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Protocol

#: Chat messages as sent on the wire: ``[{"role": "user", "content": "..."}]``.
Messages = list[dict[str, str]]


@dataclass(frozen=True)
class GenerateConfig:
    """Generation settings. Everything but ``timeout`` changes the answers, so it is part
    of every cell key (see ``fingerprint``)."""

    temperature: float | None = None
    max_tokens: int | None = None
    top_p: float | None = None
    seed: int | None = None
    stop: tuple[str, ...] = ()
    system: str | None = None
    timeout: float = 120.0

    def fingerprint(self) -> dict[str, object]:
        d = asdict(self)
        d.pop("timeout")
        d["stop"] = list(self.stop)
        return d


@dataclass(frozen=True)
class TargetSettings:
    """How to reach a target. Holds the *name* of the key variable, never the key."""

    base_url: str | None = None
    api_key_env: str | None = None
    max_connections: int = 32
    #: answers longer than this are cut and flagged (finish reason ``anjeon_truncated``)
    max_answer_chars: int | None = 200_000


@dataclass(slots=True)
class Reply:
    text: str | None
    finish_reason: str | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None


class TargetError(Exception):
    """A failed request, classified so the engine knows what to do next.

    ``retryable``: try again after a backoff (honouring ``retry_after``);
    ``fatal``: stop the whole run (bad credentials); otherwise the error is terminal for
    this cell only and is recorded on it.
    """

    def __init__(
        self,
        kind: str,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
        retryable: bool = False,
        fatal: bool = False,
    ) -> None:
        super().__init__(message)
        self.kind, self.message, self.status = kind, message, status
        self.retry_after, self.retryable, self.fatal = retry_after, retryable, fatal


class Target(Protocol):
    """A system under test. ``start`` may raise ``InputError`` (e.g. unreachable server)
    before anything is written; ``generate`` raises ``TargetError``."""

    name: str

    async def start(self) -> None: ...

    async def generate(self, messages: Messages, cell: str) -> Reply: ...

    async def close(self) -> None: ...

    def describe(self) -> Mapping[str, object]: ...


TargetFactory = Callable[[str, TargetSettings, GenerateConfig], Target]

RETRYABLE_STATUS = frozenset({408, 409, 429})


def parse_retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait from ``retry-after-ms`` (OpenAI) or ``Retry-After`` (seconds or an
    HTTP date); None when absent or unreadable."""
    ms = headers.get("retry-after-ms")
    if ms:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    value = headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def http_error(status: int, body: str, headers: Mapping[str, str]) -> TargetError:
    """Classify a non-200 answer: 401/403 stop the run, 408/409/429/5xx are retried,
    other 4xx are terminal for the cell."""
    snippet = body[:500]
    if status in (401, 403):
        return TargetError(
            "auth",
            f"HTTP {status}: the server refused the credentials: {snippet}",
            status=status,
            fatal=True,
        )
    retryable = status in RETRYABLE_STATUS or status >= 500
    kind = "rate_limit" if status == 429 else ("server" if status >= 500 else "http")
    return TargetError(
        kind,
        f"HTTP {status}: {snippet}",
        status=status,
        retry_after=parse_retry_after(headers) if retryable else None,
        retryable=retryable,
    )


def last_user_text(messages: Messages) -> str:
    for m in reversed(messages):
        if m.get("role") == "user":
            return m.get("content", "")
    return ""
