"""Pages with broken markup are checked as a browser reads them (HTML5 tree construction), without a crash."""

from __future__ import annotations

from pathlib import Path

import pytest
from seo_helpers import ORIGIN, analysed, fetched, ids, page_findings, site_findings

from auditor.models import Site
from checks.seo_dom import dom_facts

BROKEN = Path(__file__).resolve().parent / "fixtures" / "seo" / "broken"
FILES = sorted(p.name for p in BROKEN.glob("*.html"))


def _run(name: str) -> tuple[set[str], set[str]]:
    url = f"{ORIGIN}/{name}"
    ap = analysed(fetched(url, (BROKEN / name).read_bytes()))
    page_ids = ids(page_findings(ap))
    site = Site(
        name="broken",
        root_url=ORIGIN + "/",
        pages=(ap,),
        fetches=(ap.page.fetch,) if ap.page.fetch else (),
        robots_txt="User-agent: *\nAllow: /\n",
        robots_status=200,
        sitemap_urls=(url,),
    )
    return page_ids, ids(site_findings(site))


@pytest.mark.parametrize("name", FILES)
def test_broken_page_is_checked_without_crashing(name: str) -> None:
    page_ids, site_ids = _run(name)
    assert all(rule.startswith("SEO") for rule in page_ids | site_ids)


def test_title_in_body_still_names_the_page() -> None:
    page_ids, _ = _run("title-in-body.html")
    assert "SEO002" not in page_ids


def test_second_head_joins_the_first() -> None:
    page_ids, _ = _run("duplicate-head.html")
    assert "SEO003" not in page_ids, "the description inside the second <head> is in the document head"
    assert "SEO009" in page_ids, "and so is its relative canonical"


def test_no_html_element_still_has_a_head() -> None:
    page_ids, _ = _run("no-html-element.html")
    assert {"SEO001", "SEO014"} <= page_ids


def test_unclosed_title_swallows_the_rest_as_a_browser_does() -> None:
    url = f"{ORIGIN}/unclosed-tags.html"
    ap = analysed(fetched(url, (BROKEN / "unclosed-tags.html").read_bytes()))
    facts = dom_facts(ap.page)
    assert facts.title is not None and facts.title.startswith("Scalp micropigmentation: unclosed tags")
    assert "<meta" in facts.title, "an unclosed <title> is raw text up to the end of the document"
    page_ids = ids(page_findings(ap))
    assert {"SEO003", "SEO010"} <= page_ids


def test_deep_nesting_is_read_to_the_bottom() -> None:
    ap = analysed(fetched(f"{ORIGIN}/deep.html", (BROKEN / "deeply-nested.html").read_bytes()))
    assert [img.src for img in dom_facts(ap.page).images] == ["/x.png"]
    assert "SEO007" in ids(page_findings(ap))
