"""Files generated from code and data (schemas, docs). ``python -m anjeon._generate``
rewrites them; the tests fail when a committed copy is stale."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path


def item_schema() -> str:
    from anjeon.suites import Item

    schema = Item.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def record_schema() -> str:
    from anjeon.analysis import Record

    schema = Record.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "anjeon record"
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def taxonomy_md() -> str:
    from anjeon.taxonomy import taxonomy
    from anjeon.taxonomy._render import to_markdown

    return to_markdown(taxonomy())


def suite_md(suite_id: str) -> Callable[[], str]:
    def make() -> str:
        from anjeon.suites import resolve_suite
        from anjeon.suites._stats import suite_markdown

        return suite_markdown(resolve_suite(suite_id))

    return make


def bias_items(locale: str) -> Callable[[], str]:
    def make() -> str:
        from anjeon.suites._bias_templates import items_jsonl
        from anjeon.suites._load import BUILTIN_DIR

        lang = locale[:2]
        return items_jsonl(BUILTIN_DIR / "bias-qa" / f"templates-{lang}.yaml", locale)

    return make


def _builtin_suites() -> list[str]:
    from anjeon.suites import builtin_suite_ids

    return builtin_suite_ids()


# repo-relative path -> producer
GENERATED: dict[str, Callable[[], str]] = {
    "schemas/item.schema.json": item_schema,
    "schemas/record.schema.json": record_schema,
    "docs/taxonomy.md": taxonomy_md,
    # bias-qa items come from templates; before the suite docs, which count them
    **{
        f"src/anjeon/suites/data/bias-qa/items-{loc[:2]}.jsonl": bias_items(loc)
        for loc in ("ko-KR", "en-US")
    },
    **{f"docs/suites/{s}.md": suite_md(s) for s in _builtin_suites()},
}


def main(root: Path) -> None:
    for rel, make in GENERATED.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(make(), encoding="utf-8")
        print(f"wrote {rel}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path.cwd())
