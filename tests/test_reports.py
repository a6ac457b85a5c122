"""Tests of the report renderers on hand-written documents: files, escaping, links, highlights, CSV, JSON."""

from __future__ import annotations

import ast
import base64
import copy
import csv
import hashlib
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from report_samples import HOSTILE, ROOT, history, hostile_doc, sample_doc

import reports.render
from reports import render_json, render_run, write_index
from reports.charts import sanitise_svg
from reports.html import render_html
from reports.pdf import pdf_available
from reports.text import collapse_messages, csv_cell, highlight, safe_href, short_url
from reports.views import build

CSV_NAMES = ("findings.csv", "compliance.csv", "questions.csv", "seo.csv", "pages.csv", "crawl.csv")
REPO = Path(__file__).resolve().parents[1]


class Markup(HTMLParser):
    """Collects every tag, attribute and script body of a document, as a browser's tokenizer sees them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[str] = []
        self.text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts.append(data)
        else:
            self.text.append(data)


def parse(html: str) -> Markup:
    parser = Markup()
    parser.feed(html)
    parser.close()
    return parser


@pytest.fixture
def no_pdf(monkeypatch: pytest.MonkeyPatch) -> None:
    """Typesetting a PDF is slow; tests about other exports leave it out."""
    monkeypatch.setattr(reports.render, "pdf_available", lambda: False)


@pytest.fixture(scope="module")
def sample_html() -> str:
    return render_html(build(sample_doc(), history()), exports=("report.json",))


@pytest.fixture(scope="module")
def hostile_html() -> str:
    return render_html(build(hostile_doc(), history()))


def test_render_run_writes_every_export_and_nothing_else(tmp_path: Path, no_pdf: None) -> None:
    paths = render_run(sample_doc(), tmp_path, history=history())
    expected = {"report.html", "report.json", *CSV_NAMES}
    assert {p.name for p in paths} == expected
    assert {p.name for p in tmp_path.iterdir()} == expected  # no temporary files left behind
    assert all(p.stat().st_size > 0 for p in paths)
    assert 'href="report.pdf"' not in (tmp_path / "report.html").read_text(encoding="utf-8")


def test_render_run_honours_formats(tmp_path: Path, no_pdf: None) -> None:
    paths = render_run(sample_doc(), tmp_path, formats=("json",))
    assert [p.name for p in paths] == ["report.json"]
    with pytest.raises(ValueError, match="unknown report format"):
        render_run(sample_doc(), tmp_path, formats=("docx",))


def test_json_export_is_the_contract_pretty_and_stable() -> None:
    doc = sample_doc()
    text = render_json(doc)
    assert json.loads(text) == doc
    assert render_json(copy.deepcopy(doc)) == text
    shuffled = dict(reversed(list(doc.items())))
    assert render_json(shuffled) == text  # key order comes from the contract, not from the dict
    assert text.startswith('{\n  "schema_version": 1,\n  "run": {')
    assert "£850" in text  # ensure_ascii=False


def test_failed_render_leaves_the_previous_report_intact(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_pdf: None
) -> None:
    render_run(sample_doc(), tmp_path, formats=("html", "json", "csv"))
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}

    def broken(view: Any) -> dict[str, str]:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(reports.render, "render_csvs", broken)
    changed = sample_doc()
    changed["run"]["id"] = "a-different-run"
    with pytest.raises(RuntimeError, match="disk on fire"):
        render_run(changed, tmp_path, formats=("html", "json", "csv"))
    after = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    assert after == before


def test_html_is_self_contained(sample_html: str) -> None:
    doc = parse(sample_html)
    tag_names = {tag for tag, _ in doc.tags}
    assert not tag_names & {"link", "img", "iframe", "object", "embed", "base", "form", "input", "textarea"}
    assert all("src" not in attrs for _, attrs in doc.tags)
    assert "@import" not in sample_html
    assert not re.search(r"url\((?!#)", sample_html)  # CSS and SVG only point inside the document
    assert "<svg" in sample_html  # the charts are inline


def test_content_security_policy_allows_only_our_script(sample_html: str) -> None:
    doc = parse(sample_html)
    metas = [a for t, a in doc.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy"]
    assert len(metas) == 1
    policy = metas[0]["content"] or ""
    assert "default-src 'none'" in policy
    assert len(doc.scripts) == 1
    digest = base64.b64encode(hashlib.sha256(doc.scripts[0].encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in policy


def test_hostile_page_content_is_escaped_everywhere(hostile_html: str) -> None:
    doc = parse(hostile_html)
    assert len(doc.scripts) == 1 and "alert" not in doc.scripts[0]
    assert [t for t, _ in doc.tags].count("style") == 1
    for tag, attrs in doc.tags:
        assert tag not in ("img", "textarea", "iframe"), tag
        assert not [name for name in attrs if name.startswith("on")], (tag, attrs)
    text = "".join(doc.text)
    for value in (
        HOSTILE["script"],
        HOSTILE["img"],
        HOSTILE["css"],
        HOSTILE["textarea"],
        HOSTILE["title_break"],
    ):
        assert value not in hostile_html
        assert value in text  # shown to the reader, as text


def test_only_http_urls_become_links(hostile_html: str) -> None:
    for tag, attrs in parse(hostile_html).tags:
        href = attrs.get("href")
        if tag == "a" and href is not None:
            assert href.startswith("#") or safe_href(href) == href, href
    assert "javascript:alert(1)" in "".join(parse(hostile_html).text)  # still visible, as text


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://a.example/x?y=1", "https://a.example/x?y=1"),
        ("http://a.example", "http://a.example"),
        ("javascript:alert(1)", None),
        (" JaVaScRiPt:alert(1)", None),
        ("java\tscript:alert(1)", None),
        ("data:text/html,<script>", None),
        ("//evil.example/x", None),
        ("http:alert(1)", None),
        ("\x01https://a.example/", None),
        ("draft.md", None),
        (None, None),
    ],
)
def test_safe_href(url: Any, expected: str | None) -> None:
    assert safe_href(url) == expected


def test_excerpt_is_marked_inside_its_paragraph(sample_html: str) -> None:
    assert (
        "recreates the look of a closely shaved head. <mark>Permanent results in one session!</mark>"
        in sample_html
    )
    assert '<blockquote class="ctx">Prices start at £850 for a full scalp, and <mark>' in sample_html


def test_highlight_falls_back_and_trims() -> None:
    para = "First sentence here. Second has the claim. Third one."
    good = highlight("the claim", para, para.find("the claim"), para.find("the claim") + 9)
    assert (good.before, good.mark, good.after) == (
        "First sentence here. Second has ",
        "the claim",
        ". Third one.",
    )
    wrong_offsets = highlight("the claim", para, 0, 5)
    assert wrong_offsets.mark == "the claim" and wrong_offsets.before.endswith("has ")
    absent = highlight("not there", para, 0, 3)
    assert absent.mark == "not there" and "First sentence" in absent.before
    long_para = "word " * 200 + "CLAIM" + " word" * 200
    trimmed = highlight("CLAIM", long_para, None, None, radius=50)
    assert trimmed.mark == "CLAIM" and trimmed.before.startswith("…") and trimmed.after.endswith("…")
    assert len(trimmed.before) <= 52 and len(trimmed.after) <= 52


def test_top_fixes_order_by_severity_then_pages_then_importance() -> None:
    doc = sample_doc()
    view = build(doc, history())
    ranks = [(f.severity, f.page_count, min(p.depth for p in f.pages)) for f in view.fixes]
    order = {"error": 0, "warning": 1, "info": 2}
    assert ranks == sorted(ranks, key=lambda r: (order[r[0]], -r[1], r[2]))
    assert len(view.fixes) == 10
    errors = [f for f in view.fixes if f.severity == "error"]
    assert errors[0].rule.id == "SEO001" and errors[0].page_count == 2
    assert errors[1].rule.id == "CLM001" and errors[1].pages[0].label == "Home page"  # home page outranks
    assert "CLM004" not in {
        f.rule.id for f in view.fixes if f.findings == 1 and f.pages[0].url.endswith("smp")
    }


def test_waived_findings_are_not_fixes_but_stay_in_the_register() -> None:
    view = build(sample_doc())
    waived = [f for g in view.compliance for f in g.findings if f.state == "waived"]
    assert len(waived) == 1 and waived[0].waiver is not None and waived[0].waiver.reviewer == "Dr A. Patel"
    clm004 = next(f for f in view.fixes if f.rule.id == "CLM004")
    assert clm004.findings == 1  # the expired waiver counts again, the live waiver does not


def test_change_since_last_week(sample_html: str) -> None:
    view = build(sample_doc(), history())
    assert view.overall.delta == pytest.approx(4.6)
    claims = next(c for c in view.sites[0].categories if c.label == "Claims")
    assert claims.score == 60.0 and claims.delta == pytest.approx(5.0)
    assert "▲ +4.6" in sample_html and "▼ -14.3" in sample_html
    assert len(view.trend) == 5 and view.trend[-1].run_id == "20261125T201500Z-3f9a"
    first = build(sample_doc())
    assert first.overall.delta is None and len(first.trend) == 1
    assert "no earlier run" in render_html(first)


def test_resolved_findings_appear_as_resolved() -> None:
    view = build(sample_doc())
    resolved = [f for g in view.compliance for f in g.findings if f.state == "resolved"]
    assert [f.excerpt for f in resolved] == ["permanent hairline for life"]
    assert view.changes["resolved"] == 2


def test_questions_matrix_and_unanswered_first() -> None:
    view = build(sample_doc())
    assert [q.answered for q in view.questions] == sorted(q.answered for q in view.questions)
    unanswered = [q for q in view.questions if not q.answered]
    assert {q.id for q in unanswered} == {"QST004", "QST005"}
    removal = next(q for q in unanswered if q.id == "QST004")
    assert [p.url for p, _ in removal.candidates] == [ROOT + "treatments/smp"]
    lasts = next(q for q in view.questions if q.id == "QST001")
    assert lasts.best is not None and lasts.best.findable_as == "in an FAQ"
    assert lasts.best_column is not None and lasts.cells[lasts.best_column] == pytest.approx(0.86)
    assert len(view.matrix) == len({p.url for p in view.matrix})


def test_crawl_view_lists_errors_redirects_and_skipped() -> None:
    view = build(sample_doc())
    kinds = [(c.kind, c.page.label) for c in view.crawl]
    assert ("error", "/brochure.pdf") in kinds
    assert ("http", "/treatments/hair-tattoo") in kinds
    assert ("redirect", "/old-offer") in kinds
    assert ("skipped", "/admin/") in kinds
    redirect = next(c for c in view.crawl if c.kind == "redirect")
    assert [status for _, status in redirect.chain] == [301, 302]
    assert {f.check_id for f in view.crawl_findings} == {"CRL002", "CRL004"}


def _rows(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def test_csv_files_hold_the_same_data_as_the_html(tmp_path: Path, no_pdf: None) -> None:
    render_run(sample_doc(), tmp_path, formats=("html", "csv"), history=history())
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    compliance = _rows((tmp_path / "compliance.csv").read_text(encoding="utf-8"))
    cards = re.findall(
        r'<article class="fc[^"]*" id="f\d+" data-item data-state="([a-z_]+)"[^>]* data-rule="(\w+)"', html
    )
    assert [(r["state"], r["check_id"]) for r in compliance] == cards
    assert {r["category"] for r in compliance} == {"claims", "caveats", "accuracy"}
    findings = _rows((tmp_path / "findings.csv").read_text(encoding="utf-8"))
    doc = sample_doc()
    total = sum(len(p["findings"]) for p in doc["pages"]) + len(doc["site_findings"]) + len(doc["resolved"])
    assert len(findings) == total
    pages = _rows((tmp_path / "pages.csv").read_text(encoding="utf-8"))
    assert len(pages) == html.count("<tr data-item data-worst=") == len(doc["pages"])
    assert {r["url"] for r in pages} == {p["url"] for p in doc["pages"]}
    questions = _rows((tmp_path / "questions.csv").read_text(encoding="utf-8"))
    assert [r["id"] for r in questions] == [q.id for q in build(doc).questions]
    seo = _rows((tmp_path / "seo.csv").read_text(encoding="utf-8"))
    assert {r["scope"] for r in seo} == {"site", "page"}
    crawl = _rows((tmp_path / "crawl.csv").read_text(encoding="utf-8"))
    assert {r["kind"] for r in crawl} == {"error", "http", "redirect", "skipped", "finding"}


def test_csv_cells_cannot_become_formulas(tmp_path: Path, no_pdf: None) -> None:
    doc = sample_doc()
    doc["pages"][0]["findings"][0]["message"] = '=HYPERLINK("http://evil.example","click")'
    doc["pages"][0]["title"] = "+SUM(A1:A9)"
    render_run(doc, tmp_path, formats=("csv",))
    findings = _rows((tmp_path / "findings.csv").read_text(encoding="utf-8"))
    assert findings[0]["message"] == "'" + '=HYPERLINK("http://evil.example","click")'
    pages = _rows((tmp_path / "pages.csv").read_text(encoding="utf-8"))
    assert pages[0]["title"] == "'+SUM(A1:A9)"
    assert csv_cell(-3) == -3 and csv_cell("-3 pages") == "'-3 pages" and csv_cell("ok") == "ok"


def test_write_index_lists_runs_newest_first(tmp_path: Path) -> None:
    runs: list[dict[str, Any]] = [
        *history(),
        {"run": sample_doc()["run"], "summary": sample_doc()["summary"], "sites": sample_doc()["sites"]},
    ]
    runs.append(
        {
            "id": "<script>alert(1)</script>",
            "kind": "audit",
            "started": "2026-11-26T09:00:00+00:00",
            "status": "failed",
            "link": "javascript:alert(1)",
            "findings": 3,
        }
    )
    path = write_index(runs, tmp_path)
    assert path == tmp_path / "index.html"
    html = path.read_text(encoding="utf-8")
    doc = parse(html)
    links = [a["href"] for t, a in doc.tags if t == "a"]
    assert links == [
        "20261125T201500Z-3f9a/report.html",
        *[f"{r['run']['id']}/report.html" for r in reversed(history())],
    ]
    assert "<script>alert(1)</script>" not in html and "<script>alert(1)</script>" in "".join(doc.text)
    assert not doc.scripts
    assert "57.1" in html and "complete" in html


def test_chart_svg_is_sanitised() -> None:
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
        ' width="10" height="10">'
        "<style>body{display:none}</style><script>alert(1)</script>"
        '<defs><clipPath id="c1"><rect width="5" height="5"/></clipPath><path id="m1" d="M0 0"/></defs>'
        '<g onload="alert(2)" clip-path="url(#c1)"><use xlink:href="#m1"/><use xlink:href="http://evil/x.svg#a"/>'
        "<foreignObject><div>x</div></foreignObject><text>&lt;b&gt;</text>"
        '<rect style="fill:url(http://evil/p)" width="1" height="1"/></g></svg>'
    )
    clean = sanitise_svg(svg, "c-", title="<script>")
    assert "script>" not in clean.replace("&lt;script&gt;", "")
    assert "onload" not in clean and "foreignObject" not in clean and "evil" not in clean
    assert "<style" not in clean and 'width="10"' not in clean
    assert 'clip-path="url(#c-c1)"' in clean and 'href="#c-m1"' in clean and 'id="c-c1"' in clean
    assert "&lt;b&gt;" in clean and "<title>&lt;script&gt;</title>" in clean


def test_short_url_and_collapsed_messages() -> None:
    assert short_url(ROOT, (ROOT,)) == "Home page"
    assert short_url(ROOT + "faq", (ROOT,)) == "/faq"
    assert short_url("https://other.example/x", (ROOT,)) == "other.example/x"
    lookalike = "https://www.example-clinic.co.uk.evil.example/x"
    assert short_url(lookalike, (ROOT,)) == lookalike[len("https://") :]
    assert (
        collapse_messages(["No alt: /a.jpg", "No alt: /b.jpg", "No alt: /a.jpg"])
        == "No alt: /a.jpg (×2), /b.jpg"
    )
    assert collapse_messages(["Too long.", "Too long."]) == "Too long. (×2)"
    assert (
        collapse_messages([f"Missing: /{i}" for i in range(15)], limit=3) == "Missing: /0, /1, /2 and 12 more"
    )


def test_minimal_document_renders(tmp_path: Path, no_pdf: None) -> None:
    doc = {
        "schema_version": 1,
        "run": {"id": "r1", "kind": "audit", "started": None, "status": "failed"},
        "sites": [],
        "pages": [],
        "site_findings": [],
        "questions": [],
        "rules": {},
        "summary": {},
        "resolved": [],
    }
    paths = render_run(doc, tmp_path, formats=("html", "json", "csv"))
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "No claims, caveats or accuracy findings" in html and "Nothing to fix" in html
    assert len(paths) == 8


def test_page_detail_has_everything_about_a_page(sample_html: str) -> None:
    view = build(sample_doc())
    smp = next(p for p in view.pages if p.ref.url.endswith("/treatments/smp"))
    assert {r.rule.id for r in smp.rules} == {"CLM002", "CLM004", "CAV002", "SEO007"}
    assert smp.answers == ["Is scalp micropigmentation safe?"]
    start = sample_html.index(f'<article class="page" id="{smp.ref.anchor}">')
    article = sample_html[start : sample_html.index("</article>", start)]
    assert "An image has no alt text: /img/before.jpg, /img/after.jpg" in article
    assert "<q>100% safe</q>" in article and "Is scalp micropigmentation safe?" in article


def test_renderers_read_only_the_document() -> None:
    forbidden = ("auditor.pipeline", "auditor.store", "auditor.crawl", "checks")
    for path in (REPO / "reports").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert not any(name == f or name.startswith(f + ".") for f in forbidden), (path.name, name)


@pytest.mark.skipif(not pdf_available(), reason="WeasyPrint is not installed, so there is no PDF export")
def test_pdf_comes_with_the_html_when_weasyprint_is_installed(tmp_path: Path) -> None:
    paths = render_run(sample_doc(), tmp_path, formats=("html",))
    assert [p.name for p in paths] == ["report.html", "report.pdf"]
    assert paths[1].read_bytes().startswith(b"%PDF")
    assert 'href="report.pdf"' in paths[0].read_text(encoding="utf-8")


def test_large_sites_stay_compact() -> None:
    doc = sample_doc()
    template = doc["pages"][1]
    for i in range(320):
        url = f"{ROOT}blog/post-{i}"
        extra = copy.deepcopy(template)
        extra.update(url=url, final_url=url, depth=3)
        for f in extra["findings"]:
            f["url"] = url
        doc["pages"].append(extra)
    html = render_html(build(doc))
    why = doc["rules"]["SEO007"]["rationale"]
    assert html.count(why) == 2  # in the SEO view and the top fixes, not once per page
    assert html.count('<a href="#seo-SEO007">Image has no alt text</a>') == 323  # every page links to it
    seo_group = html[html.index('id="seo-SEO007"') : html.index("</section>", html.index('id="seo-SEO007"'))]
    assert seo_group.count("<tr><td>") == 100 and "And 223 more pages" in seo_group
    small = render_html(build(sample_doc()))
    assert small.count(why) > 2  # small sites repeat it on every page that has the problem
