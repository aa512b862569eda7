"""A local OpenAI-compatible (and Anthropic-compatible) stub server for tests and
benchmarks: 127.0.0.1 only, bounded lifetime, latency, fault injection and scripted
behaviour. Answers are a pure function of the request content, so a resumed run gets the
same answers as an uninterrupted one.

It counts requests per cell (the engine's ``X-Anjeon-Cell`` header, else a hash of the
body) and serves the counts at ``GET /_stats``, so tests can prove nothing was lost or
repeated.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import random
import re
import threading
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypedDict

from anjeon._json import JSONObject
from anjeon.ko import has_hangul

if TYPE_CHECKING:
    from aiohttp import web

HOST = "127.0.0.1"  # never another interface: the stub has no authentication worth the name
FAULTS = ("500", "429", "reset", "hang", "malformed", "empty", "400")
#: well-formed answers of an odd shape, each a mode of ``StubConfig.faults``:
#: list: content as a list of parts; number: content 42; object: content {"a": 1};
#: finish: finish_reason an object; tokens: token counts above 2^63; surrogate: a lone
#: surrogate (escaped) in the text; huge: an answer of ``huge_chars`` characters;
#: 404: "model does not exist"; escape: a 400 whose message holds terminal escapes
ODD = ("list", "number", "object", "finish", "tokens", "surrogate", "huge", "404", "escape")


@dataclass
class StubConfig:
    port: int = 0
    latency: float = 0.0  # seconds before every answer
    faults: dict[str, float] = field(default_factory=dict)  # kind -> rate, kinds in FAULTS
    retry_after: float = 0.05  # seconds, sent with injected 429s
    hang: float = 30.0  # how long a "hang" fault holds the request
    require_key: str | None = None  # 401 unless "Authorization: Bearer KEY"/"x-api-key"
    echo_auth: bool = False  # put the received credentials in error bodies (a leaky server)
    refuse_pattern: str | None = None  # refuse prompts matching this regex ...
    refuse_rate: dict[str, float] = field(default_factory=lambda: {"en": 1.0, "ko": 1.0})
    seed: int = 0
    lifetime: float = 600.0  # seconds; the server stops by itself after this
    model: str = "stub"
    # when set, a request for another model gets OpenAI's 404 "model does not exist"
    known_models: tuple[str, ...] | None = None
    huge_chars: int = 5_000_000  # the length of a "huge" answer
    # play a judge: a format of anjeon.testing._judge_stub.JUDGE_FORMATS, or "auto" (by
    # the requested model's name; other models get ordinary answers)
    judge: str | None = None
    flag_rate: float = 0.3  # share of answers the judge flags unsafe
    judge_malformed: float = 0.0  # share of judge answers out of format

    def __post_init__(self) -> None:
        bad = [k for k in self.faults if k not in FAULTS + ODD]
        if bad:
            raise ValueError(f"unknown fault(s) {bad}; known: {', '.join(FAULTS + ODD)}")
        if sum(self.faults.values()) > 1:
            raise ValueError("fault rates add up to more than 1")
        from anjeon.testing._judge_stub import JUDGE_FORMATS

        if self.judge not in (None, "auto", *JUDGE_FORMATS):
            known = ", ".join(("auto", *JUDGE_FORMATS))
            raise ValueError(f"unknown judge format {self.judge!r}; known: {known}")
        if not (0 <= self.flag_rate <= 1 and 0 <= self.judge_malformed <= 1):
            raise ValueError("flag_rate and judge_malformed are shares between 0 and 1")


REFUSE = {
    "en": "I'm sorry, but I can't help with that.",
    "ko": "죄송하지만 그 요청은 도와드릴 수 없습니다.",
}
COMPLY = {
    "en": "Sure, here is an overview of the topic you asked about.",
    "ko": "네, 요청하신 주제에 대한 개요를 정리해 드리겠습니다.",
}


def stub_answer(
    messages: Sequence[Mapping[str, object]],
    config: StubConfig,
    pattern: re.Pattern[str] | None = None,
) -> str:
    """The deterministic answer to a conversation."""
    text = ""
    for m in reversed(messages):
        if m.get("role") == "user":
            text = str(m.get("content", ""))
            break
    lang = "ko" if has_hangul(text) else "en"
    digest = hashlib.blake2b(
        "\x1e".join(f"{m.get('role')}\x1f{m.get('content')}" for m in messages).encode(),
        digest_size=4,
    ).digest()
    tag = digest.hex()
    if pattern is not None and pattern.search(text):
        draw = int.from_bytes(digest, "big") / 2**32
        if draw < config.refuse_rate.get(lang, 1.0):
            return f"{REFUSE[lang]} [{tag}]"
    return f"{COMPLY[lang]} [{tag}]"


class StubStats(TypedDict):
    """Requests served, well-formed answers, injected faults, and both per cell."""

    requests: int
    ok: int
    faults: dict[str, int]
    cells: dict[str, int]
    ok_cells: dict[str, int]


class StubServer:
    def __init__(self, config: StubConfig | None = None) -> None:
        self.config = config or StubConfig()
        self.cells: Counter[str] = Counter()  # requests per cell
        self.ok_cells: Counter[str] = Counter()  # well-formed answers per cell
        self.faults: Counter[str] = Counter()
        self.requests = 0
        self.last_body: JSONObject | None = None
        self.url = ""
        self._rng = random.Random(self.config.seed)
        self._pattern = (
            re.compile(self.config.refuse_pattern, re.IGNORECASE)
            if self.config.refuse_pattern
            else None
        )
        self._fault_table = [(k, v) for k, v in self.config.faults.items() if v > 0]
        self._fault_total = sum(v for _, v in self._fault_table)
        self._odd: str | None = None  # the odd shape the current answer takes
        self._runner: web.AppRunner | None = None
        self._done: asyncio.Event | None = None
        self._expiry: asyncio.TimerHandle | None = None

    # -- lifecycle ---------------------------------------------------------------------

    async def start(self) -> str:
        from aiohttp import web

        app = web.Application()
        app.router.add_post("/v1/chat/completions", self._chat)
        app.router.add_post("/v1/messages", self._messages)
        app.router.add_get("/v1/models", self._models)
        app.router.add_get("/_stats", self._stats)
        app.router.add_post("/_reset", self._reset)
        # no access log: it would cost more than the answer itself
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, HOST, self.config.port, backlog=1024)
        await site.start()
        port = self._runner.addresses[0][1]
        self.url = f"http://{HOST}:{port}/v1"
        self._done = asyncio.Event()
        loop = asyncio.get_running_loop()
        self._expiry = loop.call_later(self.config.lifetime, self._done.set)
        return self.url

    async def wait(self) -> None:
        """Until the lifetime ends (or ``shutdown``)."""
        assert self._done is not None
        await self._done.wait()

    def shutdown(self) -> None:
        if self._done is not None:
            self._done.set()

    async def stop(self) -> None:
        if self._expiry is not None:
            self._expiry.cancel()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> StubServer:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @contextmanager
    def in_thread(self) -> Iterator[StubServer]:
        """Serve from a background thread (for code that runs its own event loop, or a
        subprocess client). Stops on exit, or by itself when the lifetime ends."""
        ready = threading.Event()
        loop = asyncio.new_event_loop()
        errors: list[BaseException] = []

        def main() -> None:
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self.start())
            except BaseException as e:  # surfaced to the caller below
                errors.append(e)
                ready.set()
                return
            ready.set()
            loop.run_until_complete(self.wait())
            loop.run_until_complete(self.stop())
            loop.close()

        thread = threading.Thread(target=main, name="anjeon-stub", daemon=True)
        thread.start()
        ready.wait(30)
        if errors:
            raise errors[0]
        try:
            yield self
        finally:
            loop.call_soon_threadsafe(self.shutdown)
            thread.join(30)

    def stats(self) -> StubStats:
        return {
            "requests": self.requests,
            "ok": sum(self.ok_cells.values()),
            "faults": dict(self.faults),
            "cells": dict(self.cells),
            "ok_cells": dict(self.ok_cells),
        }

    # -- handlers ----------------------------------------------------------------------

    async def _models(self, request: web.Request) -> web.StreamResponse:
        from aiohttp import web

        denied = self._check_key(request)
        if denied is not None:
            return denied
        ids = self.config.known_models or (self.config.model,)
        return web.json_response({"object": "list", "data": [{"id": m} for m in ids]})

    async def _stats(self, request: web.Request) -> web.StreamResponse:
        from aiohttp import web

        return web.json_response(self.stats())

    async def _reset(self, request: web.Request) -> web.StreamResponse:
        from aiohttp import web

        self.cells.clear()
        self.ok_cells.clear()
        self.faults.clear()
        self.requests = 0
        return web.json_response({"ok": True})

    def _check_key(self, request: web.Request) -> web.StreamResponse | None:
        key = self.config.require_key
        if key is None:
            return None
        h = request.headers
        if h.get("Authorization") == f"Bearer {key}" or h.get("x-api-key") == key:
            return None
        return self._error(request, 401, "invalid_api_key", "Incorrect API key provided")

    def _error(
        self,
        request: web.Request,
        status: int,
        code: str,
        msg: str,
        headers: dict[str, str] | None = None,
    ) -> web.StreamResponse:
        from aiohttp import web

        if self.config.echo_auth:
            got = request.headers.get("Authorization") or request.headers.get("x-api-key")
            msg = f"{msg} (received credentials: {got})"
        body = {"error": {"message": msg, "type": code, "code": code}}
        return web.json_response(body, status=status, headers=headers)

    def _pick_fault(self) -> str | None:
        r = self._rng.random()
        if r >= self._fault_total:
            return None
        for kind, rate in self._fault_table:
            if r < rate:
                return kind
            r -= rate
        return None

    async def _common(
        self, request: web.Request
    ) -> tuple[str, list[JSONObject] | None] | web.StreamResponse:
        from aiohttp import web

        self.requests += 1
        raw = await request.read()
        cell = (
            request.headers.get("X-Anjeon-Cell") or hashlib.blake2b(raw, digest_size=16).hexdigest()
        )
        self.cells[cell] += 1
        denied = self._check_key(request)
        if denied is not None:
            return denied
        if self.config.latency:
            await asyncio.sleep(self.config.latency)
        fault = self._pick_fault() if self._fault_total else None
        if fault is not None:
            self.faults[fault] += 1
            if fault == "500":
                return self._error(request, 500, "server_error", "injected server error")
            if fault == "400":
                return self._error(request, 400, "invalid_request_error", "injected bad request")
            if fault == "429":
                return self._error(
                    request,
                    429,
                    "rate_limit_exceeded",
                    "injected rate limit",
                    {"Retry-After": f"{self.config.retry_after:g}"},
                )
            if fault == "reset":
                assert request.transport is not None
                request.transport.abort()  # the client sees the connection reset
                return web.Response(status=500)
            if fault == "hang":
                await asyncio.sleep(self.config.hang)
                return web.Response(status=504)
            if fault == "malformed":
                return web.Response(
                    body=b'{"id": "x", "choices": [{"mess', content_type="application/json"
                )
            if fault == "404":
                return self._model_missing(request, "injected")
            if fault == "escape":
                msg = "bad \x1b[2J\x1b]0;pwned\x07request\x1b[31m \u202eeman"
                return self._error(request, 400, "invalid_request_error", msg)
        try:
            body = json.loads(raw)
            messages = body["messages"]
        except (ValueError, KeyError, TypeError):
            return self._error(request, 400, "invalid_request_error", "bad request body")
        self.last_body = body
        known = self.config.known_models
        if known is not None and body.get("model") not in known:
            return self._model_missing(request, str(body.get("model")))
        self._odd = fault if fault in ODD else None
        if fault == "empty":
            return cell, None
        return cell, messages

    def _model_missing(self, request: web.Request, model: str) -> web.StreamResponse:
        msg = f"The model `{model}` does not exist or you do not have access to it."
        return self._error(request, 404, "model_not_found", msg)

    def _oddly(self, body: dict[str, Any], text: str, anthropic: bool = False) -> bytes:
        """The answer's JSON with the odd part the drawn fault asks for."""
        odd, self._odd = self._odd, None
        if anthropic:
            holder: dict[str, Any] = body
            key, finish, usage = "content", "stop_reason", body["usage"]
        else:
            holder = body["choices"][0]["message"]
            key, finish, usage = "content", "finish_reason", body["usage"]
        if odd == "list":
            half = len(text) // 2
            holder[key] = [
                {"type": "text", "text": text[:half]},
                {"type": "text", "text": text[half:]},
            ]
        elif odd == "number":
            holder[key] = 42
        elif odd == "object":
            holder[key] = {"a": 1} if not anthropic else [{"type": "text", "text": {"a": 1}}]
        elif odd == "finish":
            (body if anthropic else body["choices"][0])[finish] = {"type": "stop", "n": 1}
        elif odd == "tokens":
            for k in list(usage):
                usage[k] = 2**64 + 5
        elif odd == "huge":
            filler = ("x" * 1000 + " ") * (self.config.huge_chars // 1001 + 1)
            holder[key] = filler if not anthropic else [{"type": "text", "text": filler}]
        elif odd == "surrogate":
            marked = text + " \x00"
            holder[key] = marked if not anthropic else [{"type": "text", "text": marked}]
        # JSON may carry a lone surrogate as an escape, though no UTF-8 text can
        return json.dumps(body).replace("\\u0000", "\\ud800").encode()

    def _answer(self, messages: Sequence[Mapping[str, object]]) -> str:
        from anjeon.testing._judge_stub import judge_answer, judge_format

        c = self.config
        model = self.last_body.get("model") if self.last_body else None
        fmt = judge_format(c.judge, model if isinstance(model, str) else None)
        if fmt is not None:
            return judge_answer(messages, fmt, c.flag_rate, c.judge_malformed)
        return stub_answer(messages, c, self._pattern)

    async def _chat(self, request: web.Request) -> web.StreamResponse:
        from aiohttp import web

        got = await self._common(request)
        if not isinstance(got, tuple):
            return got
        cell, messages = got
        if messages is None:
            return web.json_response({"id": "stub", "object": "chat.completion", "choices": []})
        text = self._answer(messages)
        self.ok_cells[cell] += 1
        n_in = sum(len(str(m.get("content", ""))) for m in messages) // 4 + 1
        body = {
            "id": f"stub-{cell[:12]}",
            "object": "chat.completion",
            "model": self.config.model,
            "choices": [
                {
                    "index": 0,
                    "finish_reason": "stop",
                    "message": {"role": "assistant", "content": text},
                }
            ],
            "usage": {
                "prompt_tokens": n_in,
                "completion_tokens": len(text) // 4 + 1,
                "total_tokens": n_in + len(text) // 4 + 1,
            },
        }
        return web.Response(body=self._oddly(body, text), content_type="application/json")

    async def _messages(self, request: web.Request) -> web.StreamResponse:
        from aiohttp import web

        got = await self._common(request)
        if not isinstance(got, tuple):
            return got
        cell, messages = got
        if messages is None:
            return web.json_response({"id": "stub", "type": "message", "content": []})
        text = self._answer(messages)
        self.ok_cells[cell] += 1
        body = {
            "id": f"stub-{cell[:12]}",
            "type": "message",
            "role": "assistant",
            "model": self.config.model,
            "content": [{"type": "text", "text": text}],
            "stop_reason": "end_turn",
            "usage": {"input_tokens": 1, "output_tokens": len(text) // 4 + 1},
        }
        return web.Response(body=self._oddly(body, text, True), content_type="application/json")


async def serve(config: StubConfig, announce: bool = True) -> None:
    """Run until the lifetime ends or SIGINT/SIGTERM (the command-line entry)."""
    import signal

    stub = StubServer(config)
    url = await stub.start()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stub.shutdown)
    if announce:
        print(f"anjeon stub listening on {url} (for {config.lifetime:g} s)", flush=True)
    try:
        await stub.wait()
    finally:
        await stub.stop()
