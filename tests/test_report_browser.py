"""The HTML report in headless Chromium: offline, error-free, every view reachable, filters, inert text."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from report_samples import HOSTILE, history, hostile_doc, sample_doc

import reports.render
from reports import render_run, write_index

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWS = ("summary", "compliance", "questions", "seo", "pages", "crawl")
REPO = Path(__file__).resolve().parents[1]


def _unavailable(reason: str) -> None:
    if os.environ.get("AUDITOR_REQUIRE_CHROMIUM") == "1":
        pytest.fail(f"{reason} (AUDITOR_REQUIRE_CHROMIUM=1)")
    pytest.skip(reason)


def artifacts_dir() -> Path:
    base = (
        Path(os.environ["AUDITOR_ARTIFACTS"])
        if os.environ.get("AUDITOR_ARTIFACTS")
        else REPO / "test-artifacts"
    )
    path = base / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        _unavailable(f"{CHROMIUM} is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Playwright is not installed (pip install playwright)")
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def reports_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample and hostile reports, rendered once for the module (HTML only, no PDF)."""
    base = tmp_path_factory.mktemp("reports")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(reports.render, "pdf_available", lambda: False)
        render_run(sample_doc(), base / "sample", formats=("html",), history=history())
        render_run(hostile_doc(), base / "hostile", formats=("html",), history=history())
    return base


@dataclass
class Session:
    """A page plus everything it did: requests, console errors, uncaught errors and dialogs."""

    page: Any
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


def open_report(browser: Any, path: Path, javascript: bool = True, fragment: str = "") -> Iterator[Session]:
    context = browser.new_context(java_script_enabled=javascript, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    session = Session(page)
    page.on("request", lambda request: session.requests.append(request.url))
    page.on("console", lambda msg: session.errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: session.errors.append(str(exc)))

    def on_dialog(dialog: Any) -> None:
        session.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(path.as_uri() + fragment, wait_until="load")
    try:
        yield session
    finally:
        context.close()


@pytest.fixture
def sample(browser: Any, reports_dir: Path) -> Iterator[Session]:
    yield from open_report(browser, reports_dir / "sample" / "report.html")


@pytest.fixture
def hostile(browser: Any, reports_dir: Path) -> Iterator[Session]:
    yield from open_report(browser, reports_dir / "hostile" / "report.html")


def _only_the_file(session: Session, path: Path) -> None:
    for url in session.requests:
        assert url.startswith("data:") or url.split("#")[0] == path.as_uri(), url


def visible_views(page: Any) -> list[str]:
    return list(
        page.eval_on_selector_all(
            "section.view",
            "els => els.filter(e => e.offsetParent !== null || e.getClientRects().length).map(e => e.id)",
        )
    )


def test_loads_offline_with_no_errors(sample: Session, reports_dir: Path) -> None:
    _only_the_file(sample, reports_dir / "sample" / "report.html")
    assert sample.requests, "the file itself is requested"
    assert sample.errors == []
    assert sample.dialogs == []
    assert visible_views(sample.page) == ["summary"]
    assert sample.page.locator("#summary svg").count() == 2


def test_every_view_is_reachable_from_the_top(sample: Session, reports_dir: Path) -> None:
    from playwright.sync_api import expect

    page = sample.page
    shots = artifacts_dir()
    for view in VIEWS:
        page.click(f'nav.views a[href="#{view}"]')
        assert visible_views(page) == [view]
        # the view shows at once (CSS :target); the menu marks it when the page's script has seen the new hash
        expect(page.locator("nav.views a[aria-current]")).to_have_attribute("href", f"#{view}")
        heading = page.locator(f"#h-{view}")
        assert heading.is_visible()
        box = heading.bounding_box()
        assert box is not None and box["y"] < 900  # the view starts on screen
        page.screenshot(path=str(shots / f"report-{view}.png"))
    page.click('nav.views a[href="#pages"]')
    page.click('#page-table a[href="#pg4"]')
    assert visible_views(page) == ["pages"] and page.locator("#pg4").is_visible()
    expect(page.locator("nav.views a[aria-current]")).to_have_attribute("href", "#pages")
    page.screenshot(path=str(shots / "report-page-detail.png"))
    assert sample.errors == []
    _only_the_file(sample, reports_dir / "sample" / "report.html")


def _shown(page: Any, selector: str) -> list[str]:
    return list(page.eval_on_selector_all(selector, "els => els.filter(e => !e.hidden).map(e => e.id)"))


def test_filters_narrow_the_register(sample: Session) -> None:
    page = sample.page
    page.click('nav.views a[href="#compliance"]')
    cards = "#reg [data-item]"
    total = page.locator(cards).count()
    assert total >= 6
    bar = page.locator('[data-filter-for="reg"]')
    assert bar.is_visible()
    assert bar.locator("output").inner_text() == f"{total} of {total} shown"

    bar.locator('select[data-key="state"]').select_option("waived")
    shown = _shown(page, cards)
    states = page.eval_on_selector_all(cards, "els => els.filter(e => !e.hidden).map(e => e.dataset.state)")
    assert len(shown) == 1 and states == ["waived"]
    assert page.locator(f"#{shown[0]}").inner_text().count("Dr A. Patel") == 1
    assert bar.locator("output").inner_text() == f"1 of {total} shown"
    # Groups whose findings are all filtered out disappear with them.
    assert page.locator("#reg [data-group]:not([hidden])").count() == 1

    bar.locator('select[data-key="state"]').select_option("")
    bar.locator('select[data-key="severity"]').select_option("error")
    errors = page.eval_on_selector_all(
        cards, "els => els.filter(e => !e.hidden).map(e => e.dataset.severity)"
    )
    assert errors and set(errors) == {"error"} and len(errors) < total

    bar.locator('select[data-key="rule"]').select_option("CLM001")
    rules = page.eval_on_selector_all(cards, "els => els.filter(e => !e.hidden).map(e => e.dataset.rule)")
    assert rules == ["CLM001", "CLM001"]

    bar.locator('select[data-key="page"]').select_option(label="Home page")
    assert len(_shown(page, cards)) == 1
    page.screenshot(path=str(artifacts_dir() / "report-compliance-filtered.png"))

    bar.locator("button[data-reset]").click()
    assert len(_shown(page, cards)) == total
    assert sample.errors == []


def test_filters_on_seo_and_pages(sample: Session) -> None:
    page = sample.page
    page.click('nav.views a[href="#pages"]')
    rows = "#page-table [data-item]"
    total = page.locator(rows).count()
    page.locator('[data-filter-for="page-table"] select[data-key="worst"]').select_option("error")
    worst = page.eval_on_selector_all(rows, "els => els.filter(e => !e.hidden).map(e => e.dataset.worst)")
    assert worst and set(worst) == {"error"} and len(worst) < total
    page.click('nav.views a[href="#seo"]')
    page.locator('[data-filter-for="seo-list"] select[data-key="severity"]').select_option("warning")
    severities = page.eval_on_selector_all(
        "#seo-list [data-item]", "els => els.filter(e => !e.hidden).map(e => e.dataset.severity)"
    )
    assert severities and set(severities) == {"warning"}


def test_works_with_javascript_off(browser: Any, reports_dir: Path) -> None:
    path = reports_dir / "sample" / "report.html"
    for session in open_report(browser, path, javascript=False, fragment="#compliance"):
        page = session.page
        assert visible_views(page) == ["compliance"]
        assert not page.locator(
            '[data-filter-for="reg"]'
        ).is_visible()  # controls that cannot work are hidden
        assert page.locator("#reg [data-item]").count() == len(_shown(page, "#reg [data-item]")) >= 6
        page.click('nav.views a[href="#questions"]')
        assert visible_views(page) == ["questions"]
        page.screenshot(path=str(artifacts_dir() / "report-no-javascript.png"))
        assert session.errors == []


def test_print_layout_shows_every_view(sample: Session) -> None:
    page = sample.page
    page.emulate_media(media="print")
    assert visible_views(page) == list(VIEWS)
    assert not page.locator("nav.views").is_visible()
    page.pdf(path=str(artifacts_dir() / "report-print.pdf"), format="A4")
    assert (artifacts_dir() / "report-print.pdf").read_bytes().startswith(b"%PDF")


def test_hostile_content_stays_inert(hostile: Session, reports_dir: Path) -> None:
    page = hostile.page
    for view in VIEWS:
        page.click(f'nav.views a[href="#{view}"]')
        page.screenshot(path=str(artifacts_dir() / f"hostile-{view}.png"))
    assert hostile.dialogs == []
    assert hostile.errors == []  # a blocked inline script would log a CSP error here
    _only_the_file(hostile, reports_dir / "hostile" / "report.html")
    facts = page.evaluate("""() => ({
        scripts: document.scripts.length,
        styles: document.querySelectorAll('style').length,
        images: document.images.length,
        handlers: [...document.querySelectorAll('*')].flatMap(
            e => [...e.attributes].filter(a => a.name.startsWith('on')).map(a => e.tagName + ' ' + a.name)),
        badLinks: [...document.querySelectorAll('a[href]')].map(a => a.getAttribute('href')).filter(
            h => !(h.startsWith('#') || /^https?:\\/\\//.test(h))),
        bodyDisplay: getComputedStyle(document.body).display,
        bodyVisible: document.body.getBoundingClientRect().height > 0,
        title: document.title,
    })""")
    assert facts["scripts"] == 1 and facts["styles"] == 1 and facts["images"] == 0
    assert facts["handlers"] == []
    assert facts["badLinks"] == []
    assert facts["bodyDisplay"] != "none" and facts["bodyVisible"]
    assert "<script>alert(1)</script>" in facts["title"]
    page.click('nav.views a[href="#compliance"]')
    text = page.locator("#compliance").inner_text()
    for value in (
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        "<svg onload=alert(4)>",
        "</style><style>body{display:none}</style>",
        "--><script>alert(6)</script><!--",
    ):
        assert value in text, value
    page.click('nav.views a[href="#pages"]')
    from playwright.sync_api import expect

    # the view's table may still be filling in on a loaded machine: wait (up to 5 s) for the rows, then read them
    expect(page.locator("#pages")).to_contain_text(HOSTILE["textarea"])
    pages_text = page.locator("#pages").inner_text()
    assert HOSTILE["title_break"] in pages_text
    # The description sits in a page card, which the browser renders only near the screen (content-visibility:
    # auto) and leaves out of the rendered text until then: bring the card on screen before reading it.
    card = page.locator("#pages .page", has_text=HOSTILE["textarea"]).first
    card.scroll_into_view_if_needed()
    assert HOSTILE["textarea"] in card.inner_text()
    assert "javascript:alert(1)" in pages_text  # shown as text, never as a link
    assert page.locator('a[href^="javascript" i]').count() == 0


def test_index_lists_runs_and_links_to_each_report(browser: Any, reports_dir: Path) -> None:
    runs = [
        {
            "run": {
                "id": "sample",
                "kind": "scheduled",
                "started": "2026-11-25T20:15:00+00:00",
                "status": "complete",
            },
            "summary": sample_doc()["summary"],
            "sites": sample_doc()["sites"],
        },
        {
            "run": {
                "id": "hostile",
                "kind": "audit",
                "started": "2026-11-24T09:00:00+00:00",
                "status": "partial",
            },
            "summary": {},
            "sites": [],
        },
    ]
    index = write_index(runs, reports_dir)
    for session in open_report(browser, index):
        page = session.page
        assert page.locator("tbody tr").count() == 2
        page.screenshot(path=str(artifacts_dir() / "index.png"))
        page.click('a[href="sample/report.html"]')
        page.wait_for_load_state("load")
        assert page.url == (reports_dir / "sample" / "report.html").as_uri()
        assert visible_views(page) == ["summary"]
        assert session.errors == [] and session.dialogs == []
