"""The target boundary (issue 11, items 2, 5, 6): odd answers become storable replies or
cell errors with their cause, secrets never leave in any form, base URLs are checked and
normalised per protocol, a storage failure stops the run loudly."""

from __future__ import annotations

import asyncio
import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from anjeon._errors import InputError, StorageError
from anjeon._redact import MARK, for_terminal, redact, server_text
from anjeon.cli import app
from anjeon.engine import NO_TRANSFORM, EngineConfig, RunSpec, TransformSpec, execute, prepare
from anjeon.store import RunStore
from anjeon.targets import GenerateConfig, Reply, TargetError, TargetSettings, make_target
from anjeon.targets._normalize import (
    MAX_TOKENS_VALUE,
    TRUNCATED,
    OddAnswer,
    make_reply,
    normalize_base_url,
)
from anjeon.testing import StubConfig, StubServer
from tests.conftest import MINI

FAST = EngineConfig(max_connections=4, backoff_base=0.01, backoff_max=0.05, flush_interval=0.05)

# -- redaction -------------------------------------------------------------------------

KEY = 'sk-te"st/key+1=='


@pytest.mark.parametrize(
    "text",
    [
        f"bad key {KEY}",
        f'{{"error": "bad key {json.dumps(KEY)[1:-1]}"}}',  # JSON-escaped
        "https://h/x?key=sk-te%22st%2Fkey%2B1%3D%3D",  # URL-encoded
        "https://h/x?key=sk-te%22st/key%2B1%3D%3D",  # quote() keeps the slash
        "http://alice:s3cret-pw@proxy.example/v1 refused",
        "Authorization: Basic YWxpY2U6czNjcmV0LXB3",
        '{"headers": {"authorization": "Bearer abcdefghijkl"}}',
        "x-api-key: sk-ant-abcdef123456",
    ],
)
def test_redact_removes_every_form(text: str) -> None:
    out = redact(text, [KEY])
    for secret in (KEY, "sk-te", "s3cret", "YWxpY2U6", "abcdefghijkl", "sk-ant-abcdef"):
        assert secret not in out, out
    assert MARK in out


def test_for_terminal_strips_escapes_and_controls() -> None:
    raw = "bad \x1b[2J\x1b]0;pwned\x07request\x1b[31m \u202eeman\x00\x9b\nnext"
    assert for_terminal(raw) == "bad request eman\nnext"
    assert server_text("a\n\n b " + "x" * 400, limit=20) == "a b " + "x" * 15 + "…"


# -- base URLs -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "protocol", "url"),
    [
        ("http://h:8000", "openai", "http://h:8000/v1"),
        ("http://h:8000/", "openai", "http://h:8000/v1"),
        ("http://h:8000/v1/", "openai", "http://h:8000/v1"),
        ("http://h:8000/v1/chat/completions", "openai", "http://h:8000/v1"),
        ("https://openrouter.ai/api/v1", "openai", "https://openrouter.ai/api/v1"),
        ("https://api.anthropic.com", "anthropic", "https://api.anthropic.com"),
        ("https://api.anthropic.com/v1", "anthropic", "https://api.anthropic.com"),
        ("https://api.anthropic.com/v1/messages", "anthropic", "https://api.anthropic.com"),
        ("http://[::1]:8000/v1", "openai", "http://[::1]:8000/v1"),
    ],
)
def test_base_urls_are_normalised_per_protocol(raw: str, protocol: str, url: str) -> None:
    assert normalize_base_url(raw, protocol).url == url


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("http://[::1/v1", "is not a valid URL"),
        ("http://h:99999/v1", "is not a valid URL"),
        ("http:///v1", "has no host"),
        ("ftp://h/v1", "must start with http:// or https://"),
    ],
)
def test_bad_base_urls_are_input_errors(raw: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        make_target("openai-compatible/m", TargetSettings(base_url=raw))


def test_credentials_in_the_url_are_taken_out_and_sent_as_basic() -> None:
    base = normalize_base_url("http://al%40ice:p%3Aw@h/v1", "openai")
    assert (base.url, base.user, base.password) == ("http://h/v1", "al@ice", "p:w")
    t = make_target("openai-compatible/m", TargetSettings(base_url="http://u:pw-secret@h/v1"))
    assert "pw-secret" not in json.dumps(t.describe())


def test_credentials_in_the_url_and_a_key_are_refused_clearly(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-the-real-key")
    r = CliRunner().invoke(
        app,
        ["run", "-s", str(MINI), "-m", "openai-compatible/m", "--base-url",
         "http://user:hunter22@127.0.0.1:9/v1", "--runs-dir", str(tmp_path / "runs"), "-q"],
    )  # fmt: skip
    assert r.exit_code == 2, r.output
    assert "give one of them" in r.output
    assert "hunter22" not in r.output and "sk-the-real-key" not in r.output
    assert r.exception is None or isinstance(r.exception, SystemExit)


# -- odd answers -----------------------------------------------------------------------


def _ask(
    fault: str, protocol: str = "openai", max_chars: int | None = 200_000, **stub: Any
) -> Reply | TargetError:
    async def main() -> Reply | TargetError:
        config = StubConfig(lifetime=60, faults={fault: 1.0}, **stub)
        async with StubServer(config) as s:
            if protocol == "openai":
                spec, base = "openai-compatible/stub", s.url
            else:
                spec, base = "anthropic/stub", s.url.rsplit("/v1", 1)[0]
            settings = TargetSettings(base_url=base, max_answer_chars=max_chars)
            t = make_target(spec, settings, GenerateConfig())
            await t.start()
            try:
                return await t.generate([{"role": "user", "content": "hello"}], "c1")
            except TargetError as e:
                return e
            finally:
                await t.close()

    return asyncio.run(main())


@pytest.mark.parametrize("protocol", ["openai", "anthropic"])
@pytest.mark.timeout(60)
def test_odd_answers_become_storable_replies(
    protocol: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-x")
    listed = _ask("list", protocol)
    assert isinstance(listed, Reply) and listed.text and "[" in listed.text
    if protocol == "openai":
        number = _ask("number", protocol)
        assert isinstance(number, Reply) and number.text == "42"
    finish = _ask("finish", protocol)
    assert isinstance(finish, Reply) and finish.finish_reason == '{"type": "stop", "n": 1}'
    tokens = _ask("tokens", protocol)
    assert isinstance(tokens, Reply) and tokens.input_tokens is None
    assert tokens.output_tokens is None and tokens.text
    sur = _ask("surrogate", protocol)
    assert isinstance(sur, Reply) and sur.text is not None and "\ufffd" in sur.text
    sur.text.encode("utf-8")
    odd = _ask("object", protocol)
    assert isinstance(odd, TargetError) and odd.kind == "malformed" and not odd.retryable
    assert "unexpected response shape" in odd.message and '"a": 1' in odd.message


@pytest.mark.timeout(60)
def test_long_answers_are_cut_and_flagged_and_huge_bodies_refused() -> None:
    cut = _ask("huge", max_chars=1000, huge_chars=5000)
    assert isinstance(cut, Reply) and cut.text is not None and len(cut.text) == 1000
    assert cut.finish_reason == TRUNCATED
    big = _ask("huge", max_chars=1000, huge_chars=3_000_000)
    assert isinstance(big, TargetError) and big.kind == "too_large" and not big.retryable


_odd_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()
    | st.text(alphabet=st.characters(codec=None, exclude_categories=())),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=10,
)


def test_token_counts_take_ascii_digits_only() -> None:
    from anjeon.targets._normalize import token_count

    assert [token_count(v) for v in ("12", " 7 ", "¹", "٣", "-1", 3.0, 2**64, True)] == [
        12, 7, None, None, None, 3, None, None,
    ]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(_odd_values, _odd_values, _odd_values, _odd_values)
def test_any_answer_is_storable_or_an_odd_answer(c: Any, f: Any, i: Any, o: Any) -> None:
    try:
        reply = make_reply(c, f, i, o, 100)
    except OddAnswer:
        return
    con = sqlite3.connect(":memory:")
    con.execute("CREATE TABLE r (t TEXT, f TEXT, i INTEGER, o INTEGER)")
    row = (reply.text, reply.finish_reason, reply.input_tokens, reply.output_tokens)
    con.execute("INSERT INTO r VALUES (?,?,?,?)", row)
    assert reply.text is None or len(reply.text) <= 100
    for n in (reply.input_tokens, reply.output_tokens):
        assert n is None or 0 <= n <= MAX_TOKENS_VALUE


@pytest.mark.timeout(120)
def test_odd_answers_every_tenth_request_leave_every_cell_answered_or_failed(
    tmp_path: Path,
) -> None:
    """Before: one list content killed the writer; 100 requests, 0 cells stored."""
    for fault in ("list", "number", "object", "finish", "tokens", "surrogate"):
        with StubServer(StubConfig(lifetime=60, faults={fault: 0.1}, seed=3)).in_thread() as s:
            spec = RunSpec(
                suites=[str(MINI)],
                model="openai-compatible/stub",
                settings=TargetSettings(base_url=s.url),
                runs_dir=tmp_path / fault,
                engine=FAST,
            )
            prep = prepare(spec)
            out = asyncio.run(execute(prep))
            store = RunStore.open(out.run_dir)
            try:
                counts = store.counts()
            finally:
                store.close()
            assert counts["answered"] + counts["failed"] == prep.planned, fault
            assert out.result.requests == s.stats()["requests"], fault


# -- the leaky server ------------------------------------------------------------------


@pytest.mark.timeout(60)
def test_a_key_echoed_json_escaped_is_stored_nowhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    config = StubConfig(lifetime=60, faults={"400": 1.0}, echo_auth=True)
    with StubServer(config).in_thread() as s:
        r = CliRunner().invoke(
            app,
            ["run", "-s", str(MINI), "-m", "openai-compatible/stub", "--base-url", s.url,
             "--runs-dir", str(tmp_path / "runs"), "-q"],
        )  # fmt: skip
    assert KEY not in r.output and json.dumps(KEY)[1:-1] not in r.output
    for f in (tmp_path / "runs").rglob("*"):
        if f.is_file():
            data = f.read_bytes()
            assert KEY.encode() not in data and json.dumps(KEY)[1:-1].encode() not in data, f


# -- storage failure -------------------------------------------------------------------


@pytest.mark.timeout(60)
def test_a_storage_failure_stops_the_run_loudly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = {"n": 0}
    real = RunStore.write

    def failing(self: RunStore, *a: Any, **kw: Any) -> None:
        calls["n"] += 1
        if calls["n"] >= 2:
            raise sqlite3.OperationalError("database or disk is full")
        real(self, *a, **kw)

    monkeypatch.setattr(RunStore, "write", failing)
    with StubServer(StubConfig(lifetime=60, latency=0.02)).in_thread() as s:
        spec = RunSpec(
            suites=[str(MINI)],
            model="openai-compatible/stub",
            settings=TargetSettings(base_url=s.url),
            runs_dir=tmp_path / "runs",
            engine=EngineConfig(max_connections=2, flush_interval=0.05),
        )
        prep = prepare(spec)
        with pytest.raises(StorageError, match="database or disk is full"):
            asyncio.run(execute(prep))
        sent = s.stats()["requests"]
    assert calls["n"] == 2  # tried once, never again in a loop
    assert sent < prep.planned  # stopped at once, not after paying for every cell


# -- waiting and stopping --------------------------------------------------------------


def test_a_long_retry_after_is_capped_aloud(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Before: Retry-After capped at 300 s without a word."""
    from anjeon.testing import ScriptedTarget

    calls = {"n": 0}

    def script(messages: Any) -> str:
        calls["n"] += 1
        if calls["n"] == 1:
            raise TargetError("rate_limit", "HTTP 429: slow down", status=429,
                              retry_after=3600.0, retryable=True)  # fmt: skip
        return "fine"

    engine = EngineConfig(max_connections=1, retry_after_max=0.05)
    spec = RunSpec(suites=[str(MINI)], model=ScriptedTarget(script), runs_dir=tmp_path / "r",
                   limit=1, engine=engine)  # fmt: skip
    out = asyncio.run(execute(prepare(spec)))
    assert out.status == "complete" and out.result.errors == 1
    err = capsys.readouterr().err
    assert "the server asked to wait 3600 s; waiting at most 0.05 s per retry" in err


def test_requests_abandoned_at_a_stop_are_counted(tmp_path: Path) -> None:
    from anjeon.engine import Engine, iter_cells
    from anjeon.suites import resolve_suite
    from anjeon.testing import ScriptedTarget

    target = ScriptedTarget({}, delay=5.0)
    suite = resolve_suite(str(MINI))
    (tmp_path / "r").mkdir()
    store = RunStore.open(tmp_path / "r")
    cells = iter_cells([suite], [TransformSpec(NO_TRANSFORM)], 1, target.name,
                       GenerateConfig())  # fmt: skip
    engine = Engine(target, store, cells, EngineConfig(max_connections=3, flush_interval=0.05))

    async def main() -> Any:
        task = asyncio.create_task(engine.run())
        await asyncio.sleep(0.3)
        engine.interrupt()
        return await task

    result = asyncio.run(main())
    assert result.abandoned == 3 and result.requests == 3
    rows = store.con.execute("SELECT outcome FROM requests").fetchall()
    store.close()
    assert rows == [("abandoned",)] * 3
