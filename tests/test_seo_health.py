"""Health scores: share of HTML pages with no error-level finding, overall and per category."""

from __future__ import annotations

from auditor.models import CATEGORIES, Finding
from checks.health import page_has_error, pages_charged, site_health

PAGES = ["https://c.example/", "https://c.example/a", "https://c.example/b", "https://c.example/c"]


def f(url: str, severity: str = "error", category: str = "seo", **details: object) -> Finding:
    return Finding(
        check_id="SEO999",
        category=category,
        severity=severity,
        url=url,
        message="m",  # type: ignore[arg-type]
        details=tuple(details.items()),
        key="k",
    )


def test_share_of_pages_without_errors() -> None:
    findings = [f(PAGES[1]), f(PAGES[1], category="claims"), f(PAGES[2], severity="warning")]
    result = site_health(PAGES, findings)
    assert result["health_score"] == 75.0
    assert result["category_scores"]["seo"] == 75.0
    assert result["category_scores"]["claims"] == 75.0
    assert result["category_scores"]["caveats"] == 100.0
    assert set(CATEGORIES) <= set(result["category_scores"])


def test_warnings_and_unknown_pages_do_not_count() -> None:
    result = site_health(PAGES, [f(PAGES[0], severity="warning"), f("https://c.example/404")])
    assert result["health_score"] == 100.0


def test_mappings_from_the_report_document_work_too() -> None:
    doc_findings = [
        {"url": PAGES[0], "severity": "error", "category": "crawl", "details": {}},
        {"url": PAGES[3], "severity": "info", "category": "seo"},
    ]
    result = site_health(PAGES, doc_findings)
    assert result["health_score"] == 75.0 and result["category_scores"]["crawl"] == 75.0


def test_broken_link_counts_against_linking_pages() -> None:
    broken = f("https://c.example/gone", linked_from=(PAGES[0], PAGES[2]))
    assert pages_charged(broken) == {"https://c.example/gone", PAGES[0], PAGES[2]}
    assert site_health(PAGES, [broken])["health_score"] == 50.0
    mapping = {
        "url": "https://c.example/gone",
        "severity": "error",
        "category": "seo",
        "details": {"linked_from": [PAGES[1]]},
    }
    assert site_health(PAGES, [mapping])["health_score"] == 75.0
    assert page_has_error(PAGES[2], [broken]) and not page_has_error(PAGES[1], [broken])
    assert not page_has_error(PAGES[0], [broken], category="claims")


def test_rounding_and_empty_site() -> None:
    three = PAGES[:3]
    assert site_health(three, [f(three[0])])["health_score"] == 66.7
    assert site_health([], [f(PAGES[0])])["health_score"] == 100.0
