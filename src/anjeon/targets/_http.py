"""OpenAI-compatible and Anthropic targets over bare aiohttp.

Measured on the 2-core reference machine (see docs/benchmarks.md): for 3,000 requests
bare aiohttp took 0.39 s where the OpenAI SDK took 3.0-5.4 s, so the vendor SDKs are not
used. One ClientSession per target, its connector sized to ``--max-connections``.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from anjeon._errors import InputError
from anjeon.targets._base import (
    GenerateConfig,
    Messages,
    Reply,
    TargetError,
    http_error,
)

if TYPE_CHECKING:
    import aiohttp

CELL_HEADER = "X-Anjeon-Cell"
PREFLIGHT_TIMEOUT = 10.0


def redact_url(url: str) -> str:
    """A URL fit for run.yaml: user info and query values removed (keys hide there)."""
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    query = re.sub(r"=([^&]*)", "=REDACTED", parts.query)
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


class HTTPTarget:
    """Shared machinery: the session, the POST, error mapping and secret scrubbing."""

    protocol = "http"

    def __init__(
        self,
        name: str,
        model: str,
        base_url: str,
        headers: dict[str, str],
        *,
        secrets: tuple[str, ...],
        max_connections: int,
        gen: GenerateConfig,
        api_key_env: str | None,
    ) -> None:
        self.name, self.model = name, model
        self.base_url = base_url.rstrip("/")
        self.gen = gen
        self._headers = headers
        # never stored: used only to scrub echoes of the key from what servers send back
        self._secrets = tuple(s for s in secrets if s)
        self._max_connections = max_connections
        self._api_key_env = api_key_env
        self._session: aiohttp.ClientSession | None = None
        self._transient: tuple[type[BaseException], ...] = ()

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "protocol": self.protocol,
            "model": self.model,
            "base_url": redact_url(self.base_url),
            "api_key_env": self._api_key_env,
        }

    async def start(self) -> None:
        import asyncio

        import aiohttp

        self._transient = (aiohttp.ClientError, asyncio.TimeoutError, ConnectionError)
        connector = aiohttp.TCPConnector(limit=self._max_connections, limit_per_host=0)
        self._session = aiohttp.ClientSession(
            connector=connector,
            headers=self._headers,
            timeout=aiohttp.ClientTimeout(total=self.gen.timeout),
            # cookies would tie requests together; the engine wants them independent
            cookie_jar=aiohttp.DummyCookieJar(),
        )
        # unreachable servers are bad input: refuse before a run directory exists
        try:
            async with self._session.get(
                self.base_url + "/models", timeout=aiohttp.ClientTimeout(total=PREFLIGHT_TIMEOUT)
            ) as r:
                await r.read()
        except (TimeoutError, aiohttp.ClientConnectorError, aiohttp.InvalidURL) as e:
            await self.close()
            msg = self.redact(str(e) or type(e).__name__)
            raise InputError(f"cannot reach {redact_url(self.base_url)}: {msg}") from None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def redact(self, text: str) -> str:
        for s in self._secrets:
            if s in text:
                text = text.replace(s, "[REDACTED]")
        return text

    async def _post(self, url: str, body: bytes, cell: str) -> Any:
        """POST and return the parsed JSON of a 200, or raise a classified TargetError."""
        assert self._session is not None, "start() the target first"
        try:
            async with self._session.post(
                url,
                data=body,
                headers={CELL_HEADER: cell, "Content-Type": "application/json"},
            ) as r:
                raw = await r.read()
                status = r.status
                headers = r.headers
        except self._transient as e:
            kind = "timeout" if isinstance(e, TimeoutError) else "connection"
            msg = self.redact(f"{type(e).__name__}: {e}")
            raise TargetError(kind, msg, retryable=True) from None
        if status != 200:
            text = self.redact(raw.decode("utf-8", "replace"))
            raise http_error(status, text, headers)
        try:
            return json.loads(raw)
        except ValueError:
            snippet = self.redact(raw[:200].decode("utf-8", "replace"))
            raise TargetError("malformed", f"invalid JSON: {snippet}", retryable=True) from None


class OpenAITarget(HTTPTarget):
    """Chat Completions (``POST {base_url}/chat/completions``)."""

    protocol = "openai"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        g = self.gen
        body: dict[str, Any] = {"model": self.model}
        for k, v in (
            ("temperature", g.temperature),
            ("max_tokens", g.max_tokens),
            ("top_p", g.top_p),
            ("seed", g.seed),
        ):
            if v is not None:
                body[k] = v
        if g.stop:
            body["stop"] = list(g.stop)
        # the fixed part is encoded once; each request only splices in its messages
        self._prefix = json.dumps(body)[:-1].encode() + b', "messages": '
        self._url = self.base_url + "/chat/completions"

    async def generate(self, messages: Messages, cell: str) -> Reply:
        body = self._prefix + json.dumps(messages).encode() + b"}"
        data = await self._post(self._url, body, cell)
        try:
            choice = data["choices"][0]
            text = choice["message"].get("content")
            usage = data.get("usage") or {}
            reply = Reply(
                text,
                choice.get("finish_reason"),
                usage.get("prompt_tokens"),
                usage.get("completion_tokens"),
            )
        except (KeyError, IndexError, TypeError, AttributeError):
            kind = "empty" if isinstance(data, dict) and data.get("choices") == [] else "malformed"
            raise TargetError(
                kind, f"unexpected response shape: {str(data)[:200]}", retryable=True
            ) from None
        if reply.text is not None and self._secrets:
            reply.text = self.redact(reply.text)
        return reply


class AnthropicTarget(HTTPTarget):
    """Messages API (``POST {base_url}/v1/messages``)."""

    protocol = "anthropic"
    DEFAULT_MAX_TOKENS = 1024

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        g = self.gen
        self._body: dict[str, Any] = {
            "model": self.model,
            "max_tokens": g.max_tokens or self.DEFAULT_MAX_TOKENS,
        }
        for k, v in (("temperature", g.temperature), ("top_p", g.top_p)):
            if v is not None:
                self._body[k] = v
        if g.stop:
            self._body["stop_sequences"] = list(g.stop)
        self._url = self.base_url + "/v1/messages"

    async def generate(self, messages: Messages, cell: str) -> Reply:
        body = dict(self._body)
        system = "\n\n".join(m["content"] for m in messages if m["role"] == "system")
        if system:
            body["system"] = system
        body["messages"] = [m for m in messages if m["role"] != "system"]
        data = await self._post(self._url, json.dumps(body).encode(), cell)
        try:
            blocks = data["content"]
            text = "".join(b.get("text", "") for b in blocks if b.get("type") == "text")
            usage = data.get("usage") or {}
            reply = Reply(
                text if blocks else None,
                data.get("stop_reason"),
                usage.get("input_tokens"),
                usage.get("output_tokens"),
            )
        except (KeyError, TypeError, AttributeError):
            raise TargetError(
                "malformed", f"unexpected response shape: {str(data)[:200]}", retryable=True
            ) from None
        if reply.text is not None and self._secrets:
            reply.text = self.redact(reply.text)
        return reply
