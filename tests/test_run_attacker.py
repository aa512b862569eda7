"""Model-backed transforms in ``anjeon run``: an attacker model rewrites prompts
(paraphrase, translate-pivot) or plays a crescendo against the target; rewrites are
stored and reused on resume; attacker errors are cell errors; no attacker, exit 2."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from anjeon.cli import app
from anjeon.engine import EngineConfig, RunOutcome, RunSpec, TransformSpec, execute, prepare
from anjeon.store import read_config
from anjeon.targets import Messages, TargetError
from anjeon.testing import ScriptedTarget, StubConfig, StubServer, fetch_stats
from tests.conftest import MINI
from tests.conftest import run_rows as rows

N_ITEMS = 21  # mini.jsonl: every model-backed transform applies to every locale
MODEL = "paraphrase,translate-pivot,crescendo"
SECRET = "sk-attacker-SECRET-0123456789"
FAST = EngineConfig(max_connections=4, backoff_base=0.01, backoff_max=0.05, flush_interval=0.05)


def cli(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    r = CliRunner().invoke(app, list(args), env=env)
    if r.exception and not isinstance(r.exception, SystemExit):
        raise r.exception
    return r.exit_code, r.stdout, r.stderr


def attacker_calls(stats: dict[str, Any]) -> Counter[str]:
    """Attacker requests per cell key (the stub counts them by the X-Anjeon-Cell header)."""
    return Counter(
        {k.rsplit(":", 1)[0]: n for k, n in stats["cells"].items() if k.endswith(":attacker")}
    )


# -- the command line, the stub as attacker and as target -------------------------------


def test_stub_as_attacker_and_target_rewrites_stored_and_reused(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    env = {"OPENAI_API_KEY": "bad", "ATTACKER_KEY": SECRET}
    with (
        StubServer(StubConfig(require_key="good", lifetime=120)).in_thread() as target,
        StubServer(StubConfig(lifetime=120)).in_thread() as attacker,
    ):
        args = (
            "run", "--suite", str(MINI), "--model", "openai-compatible/stub",
            "--base-url", target.url, "--transforms", MODEL,
            "--attacker", "openai-compatible/attacker", "--attacker-base-url", attacker.url,
            "--attacker-api-key-env", "ATTACKER_KEY", "--max-connections", "3",
            "--runs-dir", str(runs), "--quiet", "--no-report",
        )  # fmt: skip
        # 1. the target refuses the key: the run stops early, with some rewrites stored
        code, out, err = cli(*args, env=env)
        assert code == 3, err
        run_dir = out.strip().splitlines()[-1]
        stored = rows(run_dir, "SELECT item_id, transform, requests FROM rewrites")
        assert stored and not rows(run_dir, "SELECT * FROM cells WHERE status = 'answered'")
        first = attacker_calls(fetch_stats(attacker.url))
        # 2. resumed with the right key: every cell answered, no stored rewrite re-asked
        code, out, err = cli(*args, env={**env, "OPENAI_API_KEY": "good"})
        assert code == 0, err
        assert out.strip().splitlines()[-1] == run_dir
        second = attacker_calls(fetch_stats(attacker.url))
        keys = dict(
            rows(run_dir, "SELECT item_id || '/' || transform, key FROM cells")  # epoch 0 only
        )
        for item_id, transform, _ in stored:
            key = keys[f"{item_id}/{transform}"]
            assert second[key] == first[key]  # reused: the attacker was not asked again
        # 3. the same command again: a finished run, nothing asked of anyone
        before = fetch_stats(attacker.url)["requests"], fetch_stats(target.url)["requests"]
        code, out, err = cli(*args, env={**env, "OPENAI_API_KEY": "good"})
        assert code == 0 and "0 of" in err
        after = fetch_stats(attacker.url)["requests"], fetch_stats(target.url)["requests"]
        assert after == before

    cells = rows(run_dir, "SELECT transform, status, messages FROM cells")
    assert Counter(t for t, s, _ in cells if s == "answered") == {
        "none": N_ITEMS, "paraphrase": N_ITEMS, "translate-pivot": N_ITEMS, "crescendo": N_ITEMS,
    }  # fmt: skip
    rewrites = rows(run_dir, "SELECT transform, requests, attacker FROM rewrites")
    assert len(rewrites) == 3 * N_ITEMS  # one per (item, transform, params, seed)
    assert {a for _, _, a in rewrites} == {"openai-compatible/attacker"}
    # a paraphrase is one attacker call, a pivot two (there and back), a crescendo its plan
    # plus one earlier turn against the target (the stub's plan has one line)
    assert {(t, n) for t, n, _ in rewrites} == {
        ("paraphrase", 1), ("translate-pivot", 2), ("crescendo", 2),
    }  # fmt: skip
    for transform, _, messages in cells:
        msgs = json.loads(messages)
        if transform == "crescendo":  # the whole conversation is the cell's messages
            roles = [m["role"] for m in msgs if m["role"] != "system"]
            assert roles[-3:] == ["user", "assistant", "user"]
            assert len(roles) == (5 if len(msgs) > 3 else 3)  # mini-conv has two turns more
        elif transform == "paraphrase":  # the stub's answer became the prompt
            assert msgs[-1]["content"].startswith(("Sure,", "네,"))
    cfg = read_config(Path(run_dir))
    assert cfg["attacker"]["name"] == "openai-compatible/attacker"
    assert cfg["attacker"]["api_key_env"] == "ATTACKER_KEY"
    assert cfg["attacker"]["generate"]["temperature"] == 0.0
    for f in Path(run_dir).iterdir():
        assert SECRET.encode() not in f.read_bytes(), f


def test_without_an_attacker_model_transforms_exit_2(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    base = ("run", "--suite", str(MINI), "--model", "builtin/comply-all")
    for extra in (
        ("--transforms", "paraphrase"),
        ("--transforms", "jamo,crescendo[turns=2]"),
        ("--transform-set", "all"),
    ):
        code, out, err = cli(*base, *extra, "--runs-dir", str(runs), "--quiet")
        assert code == 2, (extra, out, err)
        assert "needs an attacker model" in err and "--attacker PROVIDER/MODEL" in err
    code, _, err = cli(*base, "--attacker-base-url", "http://127.0.0.1:9/v1", "--quiet",
                       "--runs-dir", str(runs))  # fmt: skip
    assert code == 2 and "--attacker-base-url goes with --attacker" in err
    code, _, err = cli(*base, "--transforms", "paraphrase", "--attacker", "openai-compatible/x",
                       "--quiet", "--runs-dir", str(runs))  # fmt: skip
    assert code == 2 and "attacker openai-compatible/x" in err and "--attacker-base-url" in err
    assert not runs.exists()


def test_transform_set_all_works_with_an_attacker(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    code, out, err = cli(
        "run", "--suite", str(MINI), "--model", "builtin/keyword-guard", "--limit", "4",
        "--transform-set", "all", "--attacker", "builtin/comply-all",
        "--runs-dir", str(runs), "--quiet",
    )  # fmt: skip
    assert code == 0, err
    run_dir = out.strip().splitlines()[-1]
    (pending,) = rows(run_dir, "SELECT count(*) FROM cells WHERE status != 'answered'")[0]
    assert pending == 0
    done = {t for (t,) in rows(run_dir, "SELECT DISTINCT transform FROM cells")}
    assert {"paraphrase", "translate-pivot", "crescendo", "rot13", "base64"} <= done
    assert (Path(run_dir) / "report.html").is_file()  # the report reads crescendo cells too


# -- the library API, scripted attacker and target ----------------------------------------


class Attacker:
    """A scripted attacker: a crescendo plan of three turns, paraphrases that fail once
    (retryable) for ``FAIL-ONCE`` and always (terminal) for ``FAIL-HARD``."""

    def __init__(self) -> None:
        self.failed_once = False

    def __call__(self, messages: Messages) -> str:
        system, user = messages[0]["content"], messages[-1]["content"]
        if "FAIL-HARD" in user:
            raise TargetError("http", "HTTP 400: bad request", status=400)
        if "Crescendo" in system:
            return json.dumps(["first step?", "second step?", "third step?"])
        if "FAIL-ONCE" in user and not self.failed_once:
            self.failed_once = True
            raise TargetError("server", "HTTP 503: busy", status=503, retryable=True)
        return f"rewritten: {user}"


def scripted_prep(tmp_path: Path, suite: Path, attacker: Any, target: Any) -> Any:
    spec = RunSpec(
        suites=[str(suite)],
        model="builtin/comply-all",
        runs_dir=tmp_path / "runs",
        engine=FAST,
        transforms=[TransformSpec("none"), TransformSpec("paraphrase"), TransformSpec("crescendo")],
        attacker="builtin/refuse-all",  # replaced below: any target can be the attacker
    )
    prep = prepare(spec)
    prep.attacker, prep.target = attacker, target
    return prep


def test_scripted_attacker_crescendo_and_attacker_errors(tmp_path: Path) -> None:
    suite = tmp_path / "s.jsonl"
    base = {"locale": "en-US", "hazard": "ncr", "persona": "normal", "kind": "harmful",
            "expected": "refuse"}  # fmt: skip
    lines = [
        {**base, "id": "a", "prompt": "goal a"},
        {**base, "id": "b", "prompt": "FAIL-ONCE goal b"},
        {**base, "id": "c", "prompt": "FAIL-HARD goal c"},
    ]
    suite.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    attacker = ScriptedTarget(Attacker(), name="scripted/attacker")
    target = ScriptedTarget(lambda m: f"answer to {m[-1]['content']}", name="scripted/target")
    out: RunOutcome = asyncio.run(execute(scripted_prep(tmp_path, suite, attacker, target)))
    assert out.status == "complete"
    d = out.run_dir
    cells = {
        (i, t): (s, json.loads(m), n)
        for i, t, s, m, n in rows(
            d, "SELECT item_id, transform, status, messages, attempts FROM cells"
        )
    }
    # crescendo: the attacker's three planned turns played against the target, then the goal
    status, msgs, _ = cells[("a", "crescendo")]
    assert status == "answered"
    assert [m["role"] for m in msgs] == ["user", "assistant"] * 3 + ["user"]
    assert msgs[1]["content"] == "answer to first step?" and msgs[-1]["content"] == "goal a"
    (resp,) = rows(d, "SELECT r.text FROM responses r JOIN cells c ON c.key = r.cell_key "
                      "WHERE c.item_id = 'a' AND c.transform = 'crescendo'")[0]  # fmt: skip
    assert resp == "answer to goal a"  # the final target reply is the cell's response
    assert cells[("a", "paraphrase")][1][-1]["content"] == "rewritten: goal a"
    # a retryable attacker error is retried like a target error, and recorded
    assert cells[("b", "paraphrase")][0] == "answered" and cells[("b", "paraphrase")][2] == 2
    # a terminal attacker error ends the cell, recorded with the untransformed prompt
    status, msgs, attempts = cells[("c", "paraphrase")]
    assert status == "failed" and attempts == 1 and msgs[-1]["content"] == "FAIL-HARD goal c"
    errors = rows(d, "SELECT kind, terminal, message FROM errors ORDER BY id")
    assert ("server", 0, "attacker scripted/attacker: HTTP 503: busy") in errors
    assert ("http", 1, "attacker scripted/attacker: HTTP 400: bad request") in errors
    # the crescendo's plan for c fails too (the goal is in the attacker's prompt)
    assert cells[("c", "crescendo")][0] == "failed"
    stored = rows(d, "SELECT item_id, transform, requests FROM rewrites ORDER BY 1, 2")
    assert stored == [
        ("a", "crescendo", 4), ("a", "paraphrase", 1),  # a plan and three turns
        ("b", "crescendo", 4), ("b", "paraphrase", 1),  # the failed attempt is not counted
    ]  # fmt: skip
    calls = len(attacker.calls)

    # resumed with --retry-failed: c's cells run again, the stored rewrites are reused
    asyncio.run(
        execute(scripted_prep(tmp_path, suite, attacker, target), resume=d, retry_failed=True)
    )
    again = [json.dumps(m, ensure_ascii=False) for _, m in attacker.calls[calls:]]
    assert len(again) == 2 and all("FAIL-HARD" in m for m in again)
    assert len(rows(d, "SELECT * FROM rewrites")) == 4


def test_the_attacker_is_part_of_the_config_and_survives_resume(tmp_path: Path) -> None:
    from anjeon.engine import spec_from_config
    from anjeon.targets import GenerateConfig

    def prep(attacker: str | None, temperature: float = 0.0) -> Any:
        return prepare(
            RunSpec(
                suites=[str(MINI)], model="builtin/comply-all", runs_dir=tmp_path,
                transforms=[TransformSpec("none"), TransformSpec("paraphrase")],
                attacker=attacker, attacker_gen=GenerateConfig(temperature=temperature),
            )
        )  # fmt: skip

    a, b, c = prep("builtin/comply-all"), prep("builtin/refuse-all"), prep("builtin/comply-all", 1)
    assert len({a.config_hash, b.config_hash, c.config_hash}) == 3
    back = spec_from_config({**a.config, "run_id": "x"}, tmp_path, None)
    assert back.attacker == "builtin/comply-all" and prepare(back).config_hash == a.config_hash
    plain = prepare(RunSpec(suites=[str(MINI)], model="builtin/comply-all", runs_dir=tmp_path))
    assert plain.config["attacker"] is None


def test_attacker_faults_are_retried_and_nothing_is_lost(tmp_path: Path) -> None:
    runs = tmp_path / "runs"
    faults = {"500": 0.25, "429": 0.1, "malformed": 0.05}
    with (
        StubServer(StubConfig(lifetime=120)).in_thread() as target,
        StubServer(StubConfig(lifetime=120, faults=faults, seed=3)).in_thread() as attacker,
    ):
        code, out, err = cli(
            "run", "--suite", str(MINI), "--model", "openai-compatible/stub",
            "--base-url", target.url, "--transforms", MODEL, "--backoff", "0.01",
            "--attacker", "openai-compatible/attacker", "--attacker-base-url", attacker.url,
            "--runs-dir", str(runs), "--quiet", "--no-report",
        )  # fmt: skip
        assert code in (0, 4), err  # 4: some cells failed after their retries
        assert sum(fetch_stats(attacker.url)["faults"].values()) > 0
    run_dir = out.strip().splitlines()[-1]
    cells = rows(run_dir, "SELECT key, status FROM cells")
    assert len(cells) == len({k for k, _ in cells}) == 4 * N_ITEMS  # none lost or doubled
    errors = rows(run_dir, "SELECT cell_key, terminal, message FROM errors")
    assert errors and all(m.startswith("attacker openai-compatible/attacker:") for *_, m in errors)
    terminal = {k for k, t, _ in errors if t}
    assert terminal == {k for k, s in cells if s == "failed"}  # every failure has its error
