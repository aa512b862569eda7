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
from anjeon._redact import redact, server_text
from anjeon.targets._base import (
    GenerateConfig,
    Messages,
    Reply,
    TargetError,
    http_error,
)
from anjeon.targets._normalize import OddAnswer, clean_text, make_reply, odd_answer

if TYPE_CHECKING:
    import aiohttp

CELL_HEADER = "X-Anjeon-Cell"
PREFLIGHT_TIMEOUT = 10.0
#: bytes of a body read per character of the answer cap (JSON may escape each as \\uXXXX)
BODY_BYTES_PER_CHAR = 8
MIN_BODY_BYTES = 1 << 20


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
        max_answer_chars: int | None = None,
    ) -> None:
        self.name, self.model = name, model
        self.base_url = base_url.rstrip("/")
        self.gen = gen
        self._headers = headers
        # never stored: used only to scrub echoes of the key from what servers send back
        self._secrets = tuple(s for s in secrets if s)
        self._max_connections = max_connections
        self._api_key_env = api_key_env
        self.max_answer_chars = max_answer_chars
        self._max_body = max(MIN_BODY_BYTES, (max_answer_chars or 0) * BODY_BYTES_PER_CHAR)
        self._session: aiohttp.ClientSession | None = None
        self._transient: tuple[type[BaseException], ...] = ()
        #: the model ids ``GET /models`` listed at start, when the server has the route
        self.listed_models: list[str] | None = None
        self._prepare()

    def _prepare(self) -> None:
        """A protocol's fixed request parts, from the settings above (once, at init)."""

    @property
    def models_url(self) -> str:
        return self.base_url + "/models"

    def describe(self) -> dict[str, object]:
        return {
            "name": self.name,
            "protocol": self.protocol,
            "model": self.model,
            "base_url": redact_url(self.base_url),
            "api_key_env": self._api_key_env,
            "max_answer_chars": self.max_answer_chars,
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
                self.models_url, timeout=aiohttp.ClientTimeout(total=PREFLIGHT_TIMEOUT)
            ) as r:
                raw = await self._read(r)
                if r.status == 200:
                    self.listed_models = _model_ids(raw)
        except (TimeoutError, aiohttp.ClientConnectorError, aiohttp.InvalidURL) as e:
            await self.close()
            msg = server_text(str(e) or type(e).__name__, self._secrets)
            raise InputError(f"cannot reach {redact_url(self.base_url)}: {msg}") from None
        except (aiohttp.ClientError, ValueError, TargetError):
            pass  # the route is optional; the first request will say what is wrong

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    def redact(self, text: str) -> str:
        return redact(text, self._secrets)

    async def _read(self, r: aiohttp.ClientResponse) -> bytes:
        """The body, read with a bound: a server cannot make anjeon hold 200 MB."""
        if r.content_length is not None and r.content_length <= self._max_body:
            return await r.read()
        raw = await r.content.read(self._max_body + 1)
        while len(raw) <= self._max_body:
            more = await r.content.read(self._max_body + 1 - len(raw))
            if not more:
                break
            raw += more
        if len(raw) > self._max_body:
            raise TargetError(
                "too_large",
                f"the answer is over {self._max_body:,} bytes (raise --max-answer-chars "
                f"to accept longer answers)",
                status=r.status,
            )
        return raw

    async def _post(self, url: str, body: bytes, cell: str) -> Any:
        """POST and return the parsed JSON of a 200, or raise a classified TargetError."""
        assert self._session is not None, "start() the target first"
        try:
            async with self._session.post(
                url,
                data=body,
                headers={CELL_HEADER: cell, "Content-Type": "application/json"},
            ) as r:
                raw = await self._read(r)
                status = r.status
                headers = r.headers
        except self._transient as e:
            kind = "timeout" if isinstance(e, TimeoutError) else "connection"
            msg = self.redact(f"{type(e).__name__}: {e}")
            raise TargetError(kind, msg, retryable=True) from None
        if status != 200:
            text = clean_text(self.redact(_error_text(raw[:8000])))
            raise http_error(status, text, headers)
        try:
            return json.loads(raw)
        except (ValueError, RecursionError):
            snippet = clean_text(self.redact(raw[:200].decode("utf-8", "replace")))
            raise TargetError("malformed", f"invalid JSON: {snippet}", retryable=True) from None


class OpenAITarget(HTTPTarget):
    """Chat Completions (``POST {base_url}/chat/completions``)."""

    protocol = "openai"

    def _prepare(self) -> None:
        g = self.gen
        body: dict[str, object] = {"model": self.model}
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
        if isinstance(data, dict) and data.get("choices") == []:
            raise TargetError("empty", "the answer has no choices", retryable=True)
        try:
            choice = data["choices"][0]
            message = choice["message"]
            content = message.get("content")
            if content is None and isinstance(message.get("refusal"), str):
                content = message["refusal"]  # OpenAI's structured refusal
            usage = data.get("usage") or {}
            reply = make_reply(
                content,
                choice.get("finish_reason"),
                usage.get("prompt_tokens"),
                usage.get("completion_tokens"),
                self.max_answer_chars,
            )
        except OddAnswer as e:
            raise odd_answer(str(e), _dump(data), self._secrets) from None
        except (KeyError, IndexError, TypeError, AttributeError):
            raise odd_answer("no choices[0].message", _dump(data), self._secrets) from None
        if reply.text is not None and self._secrets:
            reply.text = self.redact(reply.text)
        return reply


class AnthropicTarget(HTTPTarget):
    """Messages API (``POST {base_url}/v1/messages``)."""

    protocol = "anthropic"
    DEFAULT_MAX_TOKENS = 1024

    def _prepare(self) -> None:
        g = self.gen
        self._body: dict[str, object] = {
            "model": self.model,
            "max_tokens": g.max_tokens or self.DEFAULT_MAX_TOKENS,
        }
        for k, v in (("temperature", g.temperature), ("top_p", g.top_p)):
            if v is not None:
                self._body[k] = v
        if g.stop:
            self._body["stop_sequences"] = list(g.stop)
        self._url = self.base_url + "/v1/messages"

    @property
    def models_url(self) -> str:
        return self.base_url + "/v1/models"

    async def generate(self, messages: Messages, cell: str) -> Reply:
        body = dict(self._body)
        system = "\n\n".join(m["content"] for m in messages if m["role"] == "system")
        if system:
            body["system"] = system
        body["messages"] = [m for m in messages if m["role"] != "system"]
        data = await self._post(self._url, json.dumps(body).encode(), cell)
        try:
            blocks = data["content"]
            if isinstance(blocks, list):
                # text blocks only: thinking and tool blocks are not the answer
                blocks = [b for b in blocks if not isinstance(b, dict) or b.get("type") == "text"]
            usage = data.get("usage") or {}
            reply = make_reply(
                blocks if blocks else None,
                data.get("stop_reason"),
                usage.get("input_tokens"),
                usage.get("output_tokens"),
                self.max_answer_chars,
            )
        except OddAnswer as e:
            raise odd_answer(str(e), _dump(data), self._secrets) from None
        except (KeyError, TypeError, AttributeError):
            raise odd_answer("no content", _dump(data), self._secrets) from None
        if reply.text is not None and self._secrets:
            reply.text = self.redact(reply.text)
        return reply


def _dump(data: object) -> str:
    try:
        return json.dumps(data, ensure_ascii=False, default=str)[:1000]
    except (ValueError, RecursionError):
        return repr(data)[:1000]


def _model_ids(raw: bytes) -> list[str] | None:
    """The ids in an OpenAI- or Anthropic-style model list, or None."""
    try:
        data = json.loads(raw)
        return [str(m["id"]) for m in data["data"]]
    except (ValueError, RecursionError, KeyError, TypeError):
        return None


def _error_text(raw: bytes) -> str:
    """The server's own message from an error body (OpenAI ``{"error": {"message"}}``,
    Anthropic ``{"type": "error", "error": {...}}``, ``{"detail": ...}`` of FastAPI
    servers), else the body as text."""
    text = raw.decode("utf-8", "replace")
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return text
    if isinstance(data, dict):
        err = data.get("error")
        for found in (
            err.get("message") if isinstance(err, dict) else err,
            data.get("message"),
            data.get("detail"),
        ):
            if isinstance(found, str) and found:
                return found
    return text
