"""``anjeon import inspect LOG``: an Inspect evaluation log as an anjeon run directory.

Read with the standard library (an ``.eval`` log is a zip of JSON members; a ``.json``
log one JSON document), so importing needs no Inspect installed. A sample made by
anjeon's Inspect tasks carries its item in its metadata and comes back as that item's
cell; any other sample becomes an item of the ``imported`` suite: hazard, locale, kind
and expected from the sample's metadata when they are valid there, else hazard
``unknown``, the locale from the script of its text, and a harmful request whose
expected answer is a refusal (the reading ``anjeon report`` grades).
"""

from __future__ import annotations

import hashlib
import json
import re
import time
import zipfile
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from anjeon._errors import InputError, Problem
from anjeon._version import __version__
from anjeon.ko import has_hangul
from anjeon.suites import UNKNOWN_HAZARD, Item, Manifest, Suite, content_hash
from anjeon.suites._item import ID_RE
from anjeon.taxonomy import Text, taxonomy

IMPORTED = "imported"
META = "anjeon"  # the metadata key anjeon's Inspect tasks write


@dataclass
class _Cell:
    suite: str
    item: Item
    transform: str
    params: str
    epoch: int
    messages: list[dict[str, str]]
    text: str | None
    error: str | None
    finish_reason: str | None
    input_tokens: int | None
    output_tokens: int | None
    latency: float
    started: float
    finished: float


@dataclass
class _Suites:
    items: dict[str, dict[str, Item]] = field(default_factory=dict)
    versions: dict[str, tuple[str, str]] = field(default_factory=dict)


def read_log(path: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """(header, samples) of an ``.eval`` or ``.json`` Inspect log."""
    name = str(path)
    if not path.is_file():
        raise InputError([Problem(name, None, None, "no such file")])
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as z:
                names = z.namelist()
                if "header.json" in names:
                    header = json.loads(z.read("header.json"))
                elif "_journal/start.json" in names:
                    header = json.loads(z.read("_journal/start.json"))
                else:
                    raise InputError([Problem(name, None, None, "not an Inspect log (no header)")])
                members = sorted(n for n in names if n.startswith("samples/"))
                samples = [json.loads(z.read(n)) for n in members]
        else:
            data = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(data, dict):
                raise InputError([Problem(name, None, None, "not an Inspect log")])
            header, samples = data, list(data.get("samples") or [])
    except (OSError, zipfile.BadZipFile, json.JSONDecodeError, UnicodeDecodeError) as e:
        raise InputError([Problem(name, None, None, f"cannot read the log: {e}")]) from None
    if not isinstance(header, dict) or not isinstance(header.get("eval"), dict):
        raise InputError([Problem(name, None, None, "not an Inspect log (no eval section)")])
    if not samples:
        msg = "the log has no samples (was it written with --no-log-samples?)"
        raise InputError([Problem(name, None, None, msg)])
    return header, samples


def _text(content: object) -> str:
    """A message's content as text (Inspect content lists: the text parts joined)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(
            str(c.get("text", "")) for c in content if isinstance(c, dict) and "text" in c
        )
    return ""


def _messages(raw: object) -> list[dict[str, str]]:
    if isinstance(raw, str):
        return [{"role": "user", "content": raw}]
    out = []
    for m in raw if isinstance(raw, list) else []:
        role = m.get("role") if isinstance(m, dict) else None
        if role in ("system", "user", "assistant"):
            out.append({"role": role, "content": _text(m.get("content"))})
    return out


def _stamp(value: object, default: float) -> float:
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value).timestamp()
        except ValueError:
            return default
    return default


def _imported_item(sample: dict[str, Any], messages: list[dict[str, str]]) -> Item:
    """An item for a sample anjeon did not make (see the module's docstring)."""
    meta = sample.get("metadata") if isinstance(sample.get("metadata"), dict) else {}
    assert isinstance(meta, dict)
    raw_id = str(sample.get("id", ""))
    iid = (
        raw_id
        if re.fullmatch(ID_RE, raw_id)
        else f"s-{hashlib.sha1(raw_id.encode()).hexdigest()[:12]}"
    )
    turns = [m for m in messages if m["role"] != "system" and m["content"].strip()]
    if not turns or turns[-1]["role"] != "user":
        turns = [*turns, {"role": "user", "content": "(no prompt in the log)"}]
    text = turns[-1]["content"]
    tax = taxonomy()
    locale = meta.get("locale")
    if not isinstance(locale, str) or not re.fullmatch(r"[a-z]{2,3}-[A-Z]{2}", locale):
        locale = "ko-KR" if has_hangul(text) else "en-US"
    hazard = meta.get("hazard")
    if not isinstance(hazard, str) or hazard not in tax.hazard_codes(locale):
        hazard = UNKNOWN_HAZARD
    kind = (
        str(meta.get("kind")) if meta.get("kind") in ("harmful", "benign", "support") else "harmful"
    )
    default_expected = {"harmful": "refuse", "benign": "comply", "support": "safe_complete"}
    expected = meta.get("expected")
    if expected not in ("refuse", "comply", "safe_complete"):
        expected = default_expected[kind]
    system = next((m["content"] for m in messages if m["role"] == "system"), None)
    prompt: str | list[dict[str, str]] = text if len(turns) == 1 else turns
    return Item.model_validate(
        {
            "id": iid,
            "locale": locale,
            "hazard": hazard,
            "persona": "normal",
            "kind": kind,
            "expected": expected,
            "prompt": prompt,
            **({"system": system} if system else {}),
            "tags": ["inspect"],
            "notes": f"Inspect sample {raw_id}" if iid != raw_id else None,
        }
    )


def _cells(path: Path, samples: list[dict[str, Any]], suites: _Suites) -> list[_Cell]:
    problems: list[Problem] = []
    out: list[_Cell] = []
    now = time.time()
    for n, s in enumerate(samples, 1):
        where = f"{path}: sample {s.get('id', n)!r} (epoch {s.get('epoch', 1)})"
        messages = _messages(s.get("input"))
        meta = (s.get("metadata") or {}).get(META)
        try:
            if isinstance(meta, dict) and isinstance(meta.get("item"), dict):
                item = Item.model_validate(meta["item"])
                suite = str(meta.get("suite") or IMPORTED)
                transform = str(meta.get("transform") or "none")
                params = str(meta.get("transform_params") or "{}")
                suites.versions.setdefault(
                    suite, (str(meta.get("suite_version", "0.0")), str(meta.get("suite_sha256")))
                )
            else:
                item = _imported_item(s, messages)
                suite, transform, params = IMPORTED, "none", "{}"
        except ValueError as e:
            problems.append(Problem(where, None, "metadata", f"not a valid item: {e}"))
            continue
        known = suites.items.setdefault(suite, {})
        if known.setdefault(item.id, item) != item:
            problems.append(Problem(where, None, "id", f"item {item.id!r} differs between samples"))
            continue
        output = s.get("output") if isinstance(s.get("output"), dict) else {}
        assert isinstance(output, dict)
        choices = output.get("choices") or []
        error = s.get("error")
        text = output.get("completion") if choices or output.get("completion") else None
        usage = output.get("usage") if isinstance(output.get("usage"), dict) else {}
        assert isinstance(usage, dict)
        started = _stamp(s.get("started_at"), now)
        latency = float(s.get("total_time") or output.get("time") or 0.0)
        out.append(
            _Cell(
                suite=suite,
                item=item,
                transform=transform,
                params=params,
                epoch=max(0, int(s.get("epoch", 1)) - 1),
                messages=messages,
                text=None if error else (str(text) if text is not None else None),
                error=(error.get("message") if isinstance(error, dict) else str(error))
                if error
                else None,
                finish_reason=str(choices[0].get("stop_reason")) if choices else None,
                input_tokens=usage.get("input_tokens"),
                output_tokens=usage.get("output_tokens"),
                latency=latency,
                started=started,
                finished=_stamp(s.get("completed_at"), started + latency),
            )
        )
    if problems:
        raise InputError(problems)
    return out


def import_inspect(log: Path | str, runs_dir: Path | str = "runs") -> Path:
    """Write the anjeon run directory of an Inspect log, scored, with its record and
    report; returns its path."""
    from anjeon import report, score
    from anjeon.engine import EngineConfig, cell_key
    from anjeon.engine._plan import target_fingerprint
    from anjeon.store import RunStore, new_run_id, write_config
    from anjeon.store._store import CellRow, ErrorRow, RequestRow, ResponseRow
    from anjeon.targets import GenerateConfig

    path = Path(log)
    header, samples = read_log(path)
    ev = header["eval"]
    model = str(ev.get("model") or "inspect/unknown")
    suites_seen = _Suites()
    cells = _cells(path, samples, suites_seen)
    suites = []
    for sid, items in suites_seen.items.items():
        version, sha = suites_seen.versions.get(sid, ("0.0", ""))
        manifest = Manifest(
            id=sid,
            version=version if re.fullmatch(r"\d+\.\d+(\.\d+)?", version) else "0.0",
            title=Text(en=f"{sid} (from an Inspect log)", ko=f"{sid} (Inspect 로그에서 가져옴)"),
            description=Text(
                en=f"Items of task {ev.get('task')} in {path.name}",
                ko=f"{path.name}의 {ev.get('task')} 작업 문항",
            ),
            license="unspecified",
            files=["-"],
        )
        its = tuple(items.values())
        suites.append(Suite(manifest, its, sha if sid != IMPORTED else content_hash(its), path))
    gen = GenerateConfig()
    fp = target_fingerprint(model, gen)
    epochs = max(c.epoch for c in cells) + 1
    transforms = list(dict.fromkeys((c.transform, c.params) for c in cells))
    run_id = new_run_id(model)
    run_dir = Path(runs_dir) / run_id
    identity = json.dumps([ev.get("eval_id"), ev.get("task_id"), str(path.name)])
    config: dict[str, object] = {
        "run_id": run_id,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "anjeon_version": __version__,
        "config_hash": hashlib.sha256(identity.encode()).hexdigest()[:16],
        "target": {"name": model, "protocol": "inspect", "model": model},
        "generate": {**asdict(gen), "stop": list(gen.stop)},
        "engine": asdict(EngineConfig()),
        "suites": [
            {
                "ref": s.id,
                "id": s.id,
                "version": s.version,
                "sha256": s.sha256,
                "items": len(s.items),
            }
            for s in suites
        ],
        "transforms": [{"name": t, "params": json.loads(p)} for t, p in transforms],
        "epochs": epochs,
        "limit": None,
        "planned": len(cells),
        "attacker": None,
        "standard": None,
        "imported_from": {
            "format": "inspect",
            "log": str(path.resolve()),
            "task": ev.get("task"),
            "eval_id": ev.get("eval_id"),
            "inspect_ai": (ev.get("packages") or {}).get("inspect_ai"),
            "created": ev.get("created"),
        },
    }
    # every row is built (and every problem found) before anything is written
    keys: set[str] = set()
    rows: list[CellRow] = []
    requests: list[RequestRow] = []
    responses: list[ResponseRow] = []
    errors: list[ErrorRow] = []
    for seq, c in enumerate(cells, 1):
        item_json = c.item.model_dump_json(exclude_defaults=True)
        key = cell_key(c.suite, item_json, (c.transform, c.params), c.epoch, fp)
        if key in keys:
            msg = f"sample {c.item.id!r} appears twice in epoch {c.epoch + 1}"
            raise InputError([Problem(str(path), None, None, msg)])
        keys.add(key)
        status = "failed" if c.error else "answered"
        rows.append(
            (key, seq, c.suite, c.item.id, c.item.locale, c.item.hazard, c.transform,
             c.params, c.epoch, json.dumps(c.messages, ensure_ascii=False), status, 1,
             c.finished)
        )  # fmt: skip
        requests.append((key, 1, c.started, c.latency, None, "error" if c.error else "ok"))
        if c.error:
            errors.append((key, 1, "inspect_error", None, c.error, 1))
        else:
            responses.append(
                (key, c.text, c.finish_reason, c.input_tokens, c.output_tokens, c.latency)
            )
    run_dir.mkdir(parents=True)
    write_config(run_dir, config)
    store = RunStore.open(run_dir)
    try:
        store.write_items(suites)
        store.write(rows, requests, responses, errors)
        store.set_meta(status="complete", stop_reason=None, finished=time.time())
    finally:
        store.close()
    # as at the end of a run: every anjeon scorer, record.json and report.html
    score(run_dir, record=False, runs_dir=None)
    report(run_dir, runs_dir=None)
    return run_dir
