"""The report in a real browser: Debian's chromium, headless, driven by Playwright (the
browser is never downloaded). Skipped only when /usr/bin/chromium is absent outside CI;
in CI (``CI`` set) a missing browser fails."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from anjeon.analysis import build_record
from anjeon.reports import cells_data, write_report
from anjeon.testing import synthetic_run

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
PAYLOADS = (
    "<script>window.__pwned = 1</script>",
    '<img src=x onerror="window.__pwned = 2">',
    '"><svg onload="window.__pwned = 3"></svg></script><script>window.__pwned = 4</script>',
)


def _need_browser() -> Any:
    in_ci = bool(os.environ.get("CI"))
    if not CHROMIUM.exists():
        if in_ci:
            pytest.fail(f"{CHROMIUM} is missing in CI (apt-get install chromium)")
        pytest.skip(f"{CHROMIUM} is not installed")
    if in_ci:
        from playwright.sync_api import sync_playwright
    else:
        sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    return sync_playwright


def _expect(locator: Any) -> Any:
    from playwright.sync_api import expect

    return expect(locator)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    run = synthetic_run(
        tmp_path_factory.mktemp("runs") / "run-browser", items=60, payloads=PAYLOADS, seed=3
    )
    return write_report(run, build_record(run)), cells_data(run)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_playwright = _need_browser()
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield b
        b.close()


class Page:
    """A page on the report with every console error and every request recorded; any
    request other than the report file itself is aborted."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.url = path.resolve().as_uri()
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(self.url)

    def _route(self, route: Any) -> None:
        self.requests.append(route.request.url)
        if route.request.url == self.url:
            route.continue_()
        else:
            route.abort()

    def count(self) -> str:
        return str(self.page.text_content("#count"))

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def page(browser: Any, report: tuple[Path, dict[str, Any]]) -> Iterator[Page]:
    p = Page(browser, report[0])
    yield p
    assert p.errors == [], p.errors
    assert p.requests == [p.url], p.requests
    p.close()


def test_renders_offline_without_errors(page: Page, report: tuple[Path, Any]) -> None:
    cells = report[1]
    assert page.page.title().startswith("anjeon")
    assert page.count() == f"{cells['n']} of {cells['n']} results"
    assert page.page.locator("#cell-rows tr").count() == 50
    assert page.page.locator("table.heat td .num").count() > 20
    ARTIFACTS.mkdir(exist_ok=True)
    page.page.screenshot(path=str(ARTIFACTS / "report-en.png"), full_page=True)


def test_language_toggle(page: Page) -> None:
    p = page.page
    h1 = p.locator("h1 .l-en")
    assert h1.is_visible() and not p.locator("h1 .l-ko").is_visible()
    p.click("#lang-toggle")
    assert p.evaluate("document.documentElement.lang") == "ko"
    assert p.locator("h1 .l-ko").is_visible() and not h1.is_visible()
    assert p.locator("h1 .l-ko").text_content() == "안전성 평가 보고서"
    assert "개 중" in page.count()  # the script's strings follow
    assert p.locator('select[data-col="result"] option[value="violation"]').text_content() == "위반"
    p.click("#cell-rows tr:nth-child(2)")
    assert p.locator("#transcript .msg .who").first.text_content() == "사용자"
    ARTIFACTS.mkdir(exist_ok=True)
    p.screenshot(path=str(ARTIFACTS / "report-ko.png"), full_page=False)
    p.click("#tr-close")
    p.click("#lang-toggle")
    assert p.evaluate("document.documentElement.lang") == "en" and h1.is_visible()


def test_filters_and_search(page: Page, report: tuple[Path, dict[str, Any]]) -> None:
    p, cells = page.page, report[1]
    n = cells["n"]
    d, c = cells["dims"], cells["cols"]
    ko = sum(1 for i in c["locale"] if d["locale"][i] == "ko-KR")
    p.select_option('select[data-col="locale"]', "ko-KR")
    assert page.count() == f"{ko} of {n} results"
    locales = p.locator("#cell-rows tr td:nth-child(4)").all_text_contents()
    assert locales and set(locales) == {"ko-KR"}
    both = sum(
        1
        for lo, r in zip(c["locale"], c["result"], strict=True)
        if d["locale"][lo] == "ko-KR" and d["result"][r] == "violation"
    )
    p.select_option('select[data-col="result"]', "violation")
    assert page.count() == f"{both} of {n} results"
    p.select_option('select[data-col="hazard"]', "prv")
    assert set(p.locator("#cell-rows tr td:nth-child(3)").all_text_contents()) <= {"prv"}
    p.click("#reset")
    assert page.count() == f"{n} of {n} results"
    p.fill("#search", "__PWNED")  # case-insensitive, over prompts and answers
    _expect(p.locator("#count")).to_have_text(re.compile("^3 of "))
    p.fill("#search", "no such text anywhere")
    _expect(p.locator("#count")).to_have_text(re.compile("^0 of "))
    assert "No result matches" in str(p.text_content("#cell-rows"))


def test_hostile_output_stays_text(page: Page) -> None:
    p = page.page
    p.fill("#search", "__pwned")
    _expect(p.locator("#count")).to_have_text(re.compile("^3 of "))
    for k in range(3):
        p.click(f"#cell-rows tr:nth-child({k + 1})")
        shown = str(p.text_content("#transcript .msg-response .text"))
        assert shown in PAYLOADS
        assert p.locator("#transcript img, #transcript svg, #transcript script").count() == 0
        p.keyboard.press("Escape")  # the drawer covers part of the table
        assert p.locator("#transcript").is_hidden()
    assert p.evaluate("window.__pwned") is None
    assert p.evaluate("document.querySelectorAll('img').length") == 0
