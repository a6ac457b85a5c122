"""The demo clinic, served over HTTP: each question lands on the page answering it; gaps are reported."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from auditor.config import Config
from auditor.demo import html_pages, load_expected, page_url
from auditor.demo.server import serve_demo
from auditor.extract import extract_html
from auditor.models import Finding, Site
from auditor.nlp import analyse_pages
from checks.consistency import ConsistencyCheck
from checks.questions import QuestionCoverageCheck
from checks.registry import CheckContext


@pytest.fixture(scope="module")
def demo() -> tuple[str, Site]:
    with serve_demo() as base, httpx.Client(timeout=10) as client:
        pages = []
        for path in html_pages():
            url = page_url(base, path)
            response = client.get(url)
            assert response.status_code == 200, url
            pages.append(extract_html(response.content, url))
    return base, Site(name="demo", root_url=base, pages=tuple(analyse_pages(pages)))


@pytest.fixture(scope="module")
def audit(demo: tuple[str, Site]) -> tuple[dict[str, dict[str, Any]], list[Finding]]:
    _, site = demo
    check = QuestionCoverageCheck(Config())
    ctx = CheckContext(config=Config())
    findings = list(check.check_site(site, ctx))
    return {q["question"]: q for q in check.site_data(site, ctx)["questions"]}, findings


def test_every_question_lands_on_the_page_that_answers_it(
    demo: tuple[str, Site], audit: tuple[dict[str, dict[str, Any]], list[Finding]]
) -> None:
    base, _ = demo
    questions, _ = audit
    expected = load_expected()["questions"]
    also = expected.get("answered_also_on", {})
    for question, path in expected["answered"].items():
        entry = questions[question]
        assert entry["answered"], question
        assert entry["best"]["url"] == page_url(base, path), (question, entry["best"]["url"])
        answering = {row["url"] for row in entry["pages"] if row["answered"]}
        for other in also.get(question, []):
            assert page_url(base, other) in answering, (question, other, entry["pages"])


def test_paraphrased_headings_are_found(
    demo: tuple[str, Site], audit: tuple[dict[str, dict[str, Any]], list[Finding]]
) -> None:
    base, site = demo
    questions, _ = audit
    check = QuestionCoverageCheck(Config())
    analysis = check.analyse(site, CheckContext(config=Config()))
    for case in load_expected()["questions"].get("paraphrased", []):
        url = page_url(base, case["page"])
        result = next(r for r in analysis.results if r.question.question == case["question"])
        on_page = next(s for s in result.per_page if s.url == url)
        assert on_page.asked_text == case["heading"]
        assert on_page.snippet_text.startswith(case["answer_starts"])
        assert on_page.score >= Config().checks.questions.min_score
    assert questions  # the matrix was built


def test_unanswered_questions_are_site_findings_with_a_suggestion(
    audit: tuple[dict[str, dict[str, Any]], list[Finding]],
) -> None:
    questions, findings = audit
    unanswered = load_expected()["questions"]["unanswered"]
    reported = {dict(f.details)["question"]: f for f in findings if f.check_id == "QST001"}
    assert set(reported) == set(unanswered)
    for question in unanswered:
        assert not questions[question]["answered"]
        finding = reported[question]
        suggestion = questions[question]["suggestion"]
        assert suggestion["url"] and suggestion["url"] in finding.suggestion
        assert finding.url == suggestion["url"]


def test_planted_contradictions_are_found(
    demo: tuple[str, Site],
) -> None:
    base, site = demo
    findings = list(ConsistencyCheck(Config()).check_site(site, CheckContext(config=Config())))
    rules = {"sessions": "ACC102", "longevity": "ACC103"}
    for planted in load_expected()["contradictions"]:
        sides = {page_url(base, p) for p in planted["pages"]}
        hits = [
            f
            for f in findings
            if f.check_id == rules[planted["fact"]]
            and f.url in sides
            and {d["url"] for d in dict(f.details)["disagreeing_pages"]} & (sides - {f.url})
        ]
        assert hits, (planted["fact"], [f.message for f in findings])
        agreeing = {page_url(base, p) for p in planted.get("agreeing", [])}
        assert not [f for f in findings if f.check_id == rules[planted["fact"]] and f.url in agreeing]
