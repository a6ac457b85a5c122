"""CRL rules are pure: each fetch fact maps to exactly one finding with the right id (no server needed)."""

from __future__ import annotations

import pytest

from auditor.config import Config, CrawlConfig
from auditor.models import AnalysedPage, FetchResult, Link, Page, Redirect, Site
from checks.crawl_checks import RULES, CrawlChecks, charset_problem, looks_binary
from checks.registry import CheckContext, missing_docs

URL = "https://clinic.example/page"
HTML = (("Content-Type", "text/html; charset=utf-8"),)
CTX = CheckContext(config=Config(crawl=CrawlConfig(slow_response_seconds=2.0)))


def _ids(*fetches: FetchResult) -> list[str]:
    site = Site(
        name="s", root_url="https://clinic.example/", fetches=fetches, robots_status=200, robots_txt=""
    )
    return [f.check_id for f in CrawlChecks().check_site(site, CTX)]


def _fetch(**kw: object) -> FetchResult:
    base: dict[str, object] = {
        "requested_url": URL,
        "final_url": URL,
        "status": 200,
        "headers": HTML,
        "body": b"<html><body><p>ok</p></body></html>",
    }
    base.update(kw)
    return FetchResult(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fetch", "expected"),
    [
        (_fetch(), []),
        (_fetch(status=None, body=b"", error_kind="reset", error="reset"), ["CRL001"]),
        (_fetch(status=None, body=b"", error_kind="tls", error="cert"), ["CRL001"]),
        (_fetch(status=None, body=b"", error_kind="timeout", error="t"), ["CRL002"]),
        (_fetch(status=503), ["CRL003"]),
        (_fetch(status=404), ["CRL004"]),
        (_fetch(status=429), ["CRL005"]),
        (
            _fetch(
                status=302,
                error_kind="redirect_loop",
                redirect_chain=(Redirect(URL, 302, URL + "2"), Redirect(URL + "2", 302, URL)),
            ),
            ["CRL006"],
        ),
        (_fetch(error_kind="too_large", truncated=True, body=b"\x00" * 2048), ["CRL007"]),
        (_fetch(headers=(("Content-Type", "application/pdf"),), body=b"%PDF-1.4"), ["CRL008"]),
        (_fetch(body=b"\x89PNG\r\n\x1a\n" + bytes(range(256))), ["CRL009"]),
        (_fetch(body=b"<p>Caf\xe9</p>"), ["CRL010"]),
        (_fetch(elapsed=2.5), ["CRL013"]),
        (_fetch(status=304, body=b""), []),
        (_fetch(status=None, body=b"", error_kind="unsafe_address", error="refused"), ["CRL014"]),
    ],
)
def test_one_finding_per_fetch_fact(fetch: FetchResult, expected: list[str]) -> None:
    assert _ids(fetch) == expected


def test_charset_problems() -> None:
    no_decl = (("Content-Type", "text/html"),)
    assert charset_problem(_fetch(headers=no_decl, body=b"<p>plain ascii</p>")) is None
    pound = "£99".encode()
    assert "declares no character set" in (charset_problem(_fetch(headers=no_decl, body=pound)) or "")
    assert "not valid UTF-8" in (charset_problem(_fetch(headers=no_decl, body=b"\xa399")) or "")
    unknown = (("Content-Type", "text/html; charset=klingon-8"),)
    assert "not a known one" in (charset_problem(_fetch(headers=unknown)) or "")
    meta = b'<meta charset="windows-1252"><p>\xa399</p>'
    assert charset_problem(_fetch(headers=no_decl, body=meta)) is None
    assert charset_problem(_fetch(headers=no_decl, body=b"\xef\xbb\xbf<p>\xc2\xa399</p>")) is None


def test_binary_detection() -> None:
    assert looks_binary(b"%PDF-1.7 ...")
    assert looks_binary(b"<html>\x00\x00\x00")
    assert not looks_binary("<p>Crème brûlée £5</p>".encode())
    assert not looks_binary(b"")


def test_skipped_urls_are_grouped_per_section_and_reason() -> None:
    skipped = (
        ("https://clinic.example/events/2031/01", "trap"),
        ("https://clinic.example/events/2031/02", "trap"),
        ("https://clinic.example/blog/old", "max_depth"),
        ("https://clinic.example/admin", "robots"),
    )
    site = Site(
        name="s", root_url="https://clinic.example/", skipped=skipped, robots_status=200, robots_txt=""
    )
    findings = list(CrawlChecks().check_site(site, CTX))
    assert sorted(f.check_id for f in findings) == ["CRL011", "CRL012", "CRL012"]
    trap = next(f for f in findings if f.key and f.key.startswith("trap:"))
    assert trap.url == "https://clinic.example/events/"
    assert dict(trap.details)["count"] == 2
    assert "2 addresses" in trap.message


def test_broken_page_names_the_pages_that_link_to_it() -> None:
    linking = Page(
        url="https://clinic.example/",
        source_kind="html",
        links=(Link(href="/page", url=URL, text="x", internal=True),),
    )
    findings = list(
        CrawlChecks().check_site(
            Site(name="s", root_url=None, fetches=(_fetch(status=404),), pages=(AnalysedPage(linking),)), CTX
        )
    )
    assert dict(findings[0].details)["linked_from"] == ["https://clinic.example/"]


def test_fingerprints_are_stable_across_runs() -> None:
    a = list(CrawlChecks().check_site(Site(name="s", root_url=None, fetches=(_fetch(status=500),)), CTX))
    b = list(
        CrawlChecks().check_site(Site(name="s", root_url=None, fetches=(_fetch(status=502, elapsed=9),)), CTX)
    )
    assert a[0].fingerprint == b[0].fingerprint


def test_rules_are_documented_and_unique() -> None:
    ids = [rule.id for rule in RULES]
    assert len(ids) == len(set(ids)) and all(i.startswith("CRL") for i in ids)
    assert all(not missing_docs(rule) for rule in RULES)
