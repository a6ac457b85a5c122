"""On the demo clinic site, served and crawled, every planted SEO fault is found and clean pages draw none.

auditor/demo/expected.yaml lists the planted faults per page and the pages written to be clean.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from seo_helpers import crawled_demo_site

from auditor.config import Config
from auditor.demo import load_expected, page_url
from auditor.models import Finding
from checks import seo, site
from checks.health import pages_charged
from checks.registry import CheckContext

# expected.yaml's short fault names -> the rules that report them.
FAULT_RULES: dict[str, set[str]] = {
    "missing_description": {"SEO003"},
    "title_too_long": {"SEO010"},
    "title_too_short": {"SEO010"},
    "multiple_h1": {"SEO012"},
    "heading_skip": {"SEO013"},
    "image_alt": {"SEO007"},
    "link_text": {"SEO005"},
    "javascript_link": {"SEO006"},
    "broken_link": {"SEO107"},
    "noindex": {"SEO001"},
    "canonical_other": {"SEO027"},
    "canonical_invalid": {"SEO009"},
    "jsonld_invalid": {"SEO024"},
    "faq_schema_invisible": {"SEO028"},
    "duplicate_title": {"SEO103"},
    "thin_content": {"SEO018"},
    "missing_lang": {"SEO014"},
    "missing_viewport": {"SEO016"},
    "missing_og_image": {"SEO017"},
    "orphan": {"SEO113"},
    "not_in_sitemap": {"SEO114"},
    "redirect": {"SEO117", "SEO108"},
}


@pytest.fixture(scope="module")
def audit() -> Iterator[tuple[str, list[Finding]]]:
    config = Config()
    demo = crawled_demo_site()
    base, analysed = demo.root_url or "", list(demo.pages)
    ctx = CheckContext(config=config)
    findings = [f for check in seo.checks(config) for ap in analysed for f in check.check_page(ap, ctx)]
    findings += [f for check in site.checks(config) for f in check.check_site(demo, ctx)]
    yield base, findings


@pytest.fixture(scope="module")
def expected() -> dict[str, Any]:
    return load_expected()


def _about(findings: list[Finding], url: str) -> list[Finding]:
    """Findings that point at a page: by their url, or by naming it as a page linking to the fault."""
    return [f for f in findings if url in pages_charged(f)]


def test_every_fault_name_has_a_rule(expected: dict[str, Any]) -> None:
    assert set(expected["seo_fault_names"]) <= set(FAULT_RULES)


def test_every_planted_fault_is_found(audit: tuple[str, list[Finding]], expected: dict[str, Any]) -> None:
    base, findings = audit
    missed = []
    planted = 0
    for name, spec in expected["pages"].items():
        url = page_url(base, name)
        found = {f.check_id for f in _about(findings, url)}
        for fault in spec.get("seo_faults", []):
            planted += 1
            if not FAULT_RULES[fault] & found:
                missed.append(f"{name}: {fault}")
    assert planted >= 20
    assert missed == []


def test_clean_pages_draw_no_seo_finding(audit: tuple[str, list[Finding]], expected: dict[str, Any]) -> None:
    base, findings = audit
    clean = [name for name, spec in expected["pages"].items() if spec.get("seo_clean")]
    assert clean, "the demo promises some clean pages"
    noise = {
        name: [f"{f.check_id}: {f.message}" for f in _about(findings, page_url(base, name))] for name in clean
    }
    assert {name: items for name, items in noise.items() if items} == {}


def test_broken_link_names_the_linking_page(
    audit: tuple[str, list[Finding]], expected: dict[str, Any]
) -> None:
    base, findings = audit
    for broken in expected["site"]["broken_links"]:
        target = base + broken["href"].lstrip("/")
        hits = [f for f in findings if f.check_id == "SEO107" and f.url == target]
        assert len(hits) == 1
        assert page_url(base, broken["page"]) in dict(hits[0].details)["linked_from"]
