"""The demo clinic site and its server: every page serves, planted faults are where expected.yaml says."""

from __future__ import annotations

import itertools
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import lxml.etree
import lxml.html
import pytest

from auditor.demo import BASE_PLACEHOLDER, html_pages, load_expected, page_url, site_root
from auditor.demo.server import serve_demo

SITEMAP_NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9"}
CAVEATS = {"results_vary", "consultation", "risks", "aftercare", "training"}


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with serve_demo() as url:
        yield url


@pytest.fixture(scope="module")
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10.0, follow_redirects=False) as c:
        yield c


@pytest.fixture(scope="module")
def expected() -> dict[str, Any]:
    return load_expected()


def _sitemap_urls(client: httpx.Client, base_url: str) -> list[str]:
    response = client.get(base_url + "sitemap.xml")
    assert response.status_code == 200
    tree = lxml.etree.fromstring(response.content)
    return [str(loc.text).strip() for loc in tree.findall("sm:url/sm:loc", SITEMAP_NS)]


def _visible_text(html: bytes) -> str:
    doc = lxml.html.fromstring(html)
    for node in doc.xpath("//script|//style"):
        node.drop_tree()
    return " ".join(doc.text_content().split())


def _main_text(html: bytes) -> str:
    doc = lxml.html.fromstring(html)
    main = doc.find(".//main")
    assert main is not None
    return " ".join(main.text_content().split())


def test_base_url_is_local_with_trailing_slash(base_url: str) -> None:
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", base_url)


def test_every_sitemap_page_is_html_with_real_urls(client: httpx.Client, base_url: str) -> None:
    urls = _sitemap_urls(client, base_url)
    assert len(urls) >= 12
    for url in urls:
        assert url.startswith(base_url), url
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert b"<html" in response.content
        assert BASE_PLACEHOLDER.encode() not in response.content, url
        canonical = lxml.html.fromstring(response.content).xpath("//link[@rel='canonical']/@href")
        if canonical and canonical[0].startswith("http"):
            assert canonical[0].startswith(base_url)


def test_robots_txt_names_the_real_sitemap(client: httpx.Client, base_url: str) -> None:
    response = client.get(base_url + "robots.txt")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert f"Sitemap: {base_url}sitemap.xml" in response.text
    assert BASE_PLACEHOLDER not in response.text


def test_root_and_blog_directory_serve_their_index(client: httpx.Client, base_url: str) -> None:
    home = client.get(base_url)
    assert home.status_code == 200
    assert home.content == client.get(base_url + "index.html").content
    blog = client.get(base_url + "blog/")
    assert blog.status_code == 200
    assert b"SMP guides and advice" in blog.content


def test_planted_redirect_is_a_301_to_the_treatment_page(
    client: httpx.Client, base_url: str, expected: dict[str, Any]
) -> None:
    for source, target in expected["site"]["redirects"].items():
        response = client.get(base_url + source.lstrip("/"))
        assert response.status_code == 301
        assert response.headers["location"] == base_url + target.lstrip("/")
        assert client.get(response.headers["location"]).status_code == 200
    linking = [link["page"] for link in expected["site"]["redirected_links"]]
    for page in linking:
        html = client.get(page_url(base_url, page)).text
        assert 'href="/treatments/smp"' in html


def test_unknown_and_planted_broken_paths_are_404_html(
    client: httpx.Client, base_url: str, expected: dict[str, Any]
) -> None:
    hrefs = ["no-such-page.html", "treatments/", "../pyproject.toml", ".hidden"]
    hrefs += ["%00.html", "blog/%2e%2e/faq.html"]  # a NUL byte and an encoded dot segment
    hrefs += [link["href"].lstrip("/") for link in expected["site"]["broken_links"]]
    for href in hrefs:
        response = client.get(base_url + href)
        assert response.status_code == 404, href
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert b"Page not found" in response.content


def test_head_matches_get_without_body(client: httpx.Client, base_url: str) -> None:
    get = client.get(base_url + "about.html")
    head = client.head(base_url + "about.html")
    assert head.status_code == 200
    assert head.content == b""
    assert head.headers["content-length"] == get.headers["content-length"] == str(len(get.content))
    assert head.headers["etag"] == get.headers["etag"]


def test_conditional_get_with_etag_or_date_gives_304(client: httpx.Client, base_url: str) -> None:
    url = base_url + "faq.html"
    first = client.get(url)
    etag, last_modified = first.headers["etag"], first.headers["last-modified"]
    assert etag and last_modified
    by_etag = client.get(url, headers={"If-None-Match": etag})
    assert by_etag.status_code == 304
    assert by_etag.content == b""
    assert by_etag.headers["etag"] == etag
    by_date = client.get(url, headers={"If-Modified-Since": last_modified})
    assert by_date.status_code == 304
    stale = client.get(url, headers={"If-None-Match": '"not-the-current-tag"'})
    assert stale.status_code == 200
    assert stale.content == first.content


def test_edited_copy_is_served_with_a_new_etag(tmp_path: Path) -> None:
    root = tmp_path / "site"
    shutil.copytree(str(site_root()), root)
    with serve_demo(root=root) as url, httpx.Client(timeout=10.0) as c:
        before = c.get(url + "pricing.html")
        page = root / "pricing.html"
        page.write_text(page.read_text(encoding="utf-8").replace("£1,800", "£1,950"), encoding="utf-8")
        after = c.get(url + "pricing.html", headers={"If-None-Match": before.headers["etag"]})
        assert after.status_code == 200
        assert after.headers["etag"] != before.headers["etag"]
        assert "£1,950" in after.text
        unchanged = c.get(url + "about.html")
        again = c.get(url + "about.html", headers={"If-None-Match": unchanged.headers["etag"]})
        assert again.status_code == 304


def test_server_stops_when_the_block_ends() -> None:
    with serve_demo() as url:
        assert httpx.get(url + "robots.txt", timeout=5.0).status_code == 200
    with pytest.raises(httpx.TransportError):
        httpx.get(url + "robots.txt", timeout=2.0)


def test_site_size_and_expected_lists_only_real_pages(expected: dict[str, Any]) -> None:
    pages = html_pages()
    assert 16 <= len(pages) <= 20
    assert set(expected["pages"]) <= set(pages)
    assert set(expected["site"]["clean_pages"]) <= set(pages)
    for question, page in expected["questions"]["answered"].items():
        assert page in pages, question
    for contradiction in expected["contradictions"]:
        assert set(contradiction["pages"]) <= set(pages)
    for name in ("orphans", "noindex", "sitemap_excluded"):
        assert set(expected["site"][name]) <= set(pages)


def test_expected_fault_names_and_caveat_names_are_known(expected: dict[str, Any]) -> None:
    names = set(expected["seo_fault_names"])
    planted: set[str] = set()
    for page, facts in expected["pages"].items():
        assert set(facts["missing_caveats"]) <= CAVEATS, page
        assert set(facts["seo_faults"]) <= names, page
        assert facts["seo_clean"] == (not facts["seo_faults"]), page
        assert facts["clean_claims"] == (not facts["claims"]), page
        if not facts["treatment_page"]:
            assert facts["missing_caveats"] == [], page
        planted |= set(facts["seo_faults"])
    assert planted == names, "every named fault is planted somewhere"


def test_claim_and_safe_use_excerpts_appear_on_their_pages(
    client: httpx.Client, base_url: str, expected: dict[str, Any]
) -> None:
    for page, facts in expected["pages"].items():
        text = _visible_text(client.get(page_url(base_url, page)).content)
        for item in facts["claims"] + facts["safe_uses"]:
            assert item["excerpt"] in text, (page, item["excerpt"])
    for contradiction in expected["contradictions"]:
        for page, wording in contradiction["values"].items():
            assert wording in _visible_text(client.get(page_url(base_url, page)).content), (page, wording)


def test_cost_is_stated_only_on_the_prices_page(
    client: httpx.Client, base_url: str, expected: dict[str, Any]
) -> None:
    pages_with_prices = [
        page for page in expected["pages"]
        if "£" in _main_text(client.get(page_url(base_url, page)).content)
    ]
    cost_page = expected["questions"]["answered"]["How much does scalp micropigmentation cost?"]
    assert pages_with_prices == [cost_page]


def test_unanswered_question_has_no_answer_words_anywhere(
    client: httpx.Client, base_url: str, expected: dict[str, Any]
) -> None:
    assert expected["questions"]["unanswered"] == ["Can scalp micropigmentation go wrong?"]
    for page in expected["pages"]:
        text = _main_text(client.get(page_url(base_url, page)).content).lower()
        assert not re.search(r"\bwrong\b|botch", text), page


def test_paraphrased_answers_sit_under_their_headings(
    client: httpx.Client, base_url: str, expected: dict[str, Any]
) -> None:
    for item in expected["questions"]["paraphrased"]:
        doc = lxml.html.fromstring(client.get(page_url(base_url, item["page"])).content)
        headings = [h for h in doc.xpath("//main//h2|//main//h3|//main//h4")
                    if " ".join(h.text_content().split()) == item["heading"]]
        assert len(headings) == 1, item
        following = headings[0].getnext()
        assert following is not None
        assert " ".join(following.text_content().split()).startswith(item["answer_starts"])


def test_orphan_is_in_sitemap_but_linked_from_nowhere(
    client: httpx.Client, base_url: str, expected: dict[str, Any]
) -> None:
    sitemap = set(_sitemap_urls(client, base_url))
    linked: set[str] = set()
    for page in html_pages():
        doc = lxml.html.fromstring(client.get(page_url(base_url, page)).content)
        linked |= {str(httpx.URL(base_url).join(href)) for href in doc.xpath("//a/@href")}
    for page in expected["site"]["orphans"]:
        assert page_url(base_url, page) in sitemap
        assert page_url(base_url, page) not in linked
    for page in expected["site"]["sitemap_excluded"]:
        assert page_url(base_url, page) not in sitemap
        assert page_url(base_url, page) in linked


@pytest.mark.parametrize("page", load_expected()["site"]["clean_pages"])
def test_clean_pages_have_sound_on_page_seo(client: httpx.Client, base_url: str, page: str) -> None:
    url = page_url(base_url, page)
    doc = lxml.html.fromstring(client.get(url).content)
    title = doc.findtext(".//title") or ""
    assert 20 <= len(title) <= 60, title
    description = doc.xpath("//meta[@name='description']/@content")
    assert len(description) == 1 and 70 <= len(description[0]) <= 160, description
    assert len(doc.xpath("//h1")) == 1
    levels = [int(h.tag[1]) for h in doc.iter("h1", "h2", "h3", "h4", "h5", "h6")]
    assert all(b - a <= 1 for a, b in itertools.pairwise(levels)), levels
    assert doc.get("lang") == "en-GB"
    assert doc.xpath("//meta[@name='viewport']")
    assert doc.xpath("//link[@rel='canonical']/@href") == [url]
    for prop in ("og:title", "og:description", "og:image"):
        assert doc.xpath(f"//meta[@property='{prop}']/@content"), prop
    assert not doc.xpath("//meta[@name='robots']")
    assert all(img.get("alt") is not None for img in doc.iter("img"))
    generic = {"click here", "here", "read more", "more", "learn more", "this page", "link"}
    assert not [a for a in doc.iter("a") if a.text_content().strip().lower() in generic]
    assert not [href for href in doc.xpath("//a/@href") if href.startswith("javascript:")]
    scripts = doc.xpath("//script[@type='application/ld+json']/text()")
    assert scripts
    for raw in scripts:
        data = json.loads(raw)
        assert data["@context"] == "https://schema.org" and data["@type"]
    assert len(_main_text(lxml.html.tostring(doc)).split()) > 300
