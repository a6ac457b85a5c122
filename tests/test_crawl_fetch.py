"""Fetching against real local servers: TLS errors, unsafe redirect hops, conditional requests, limits."""

from __future__ import annotations

import asyncio
import ipaddress

import pytest
from faultserver import Conn as FaultConn
from faultserver import FaultServer, Request, fault_server, html, send

from auditor.config import Config, CrawlConfig, SiteConfig, TimeoutConfig
from auditor.crawl import PreviousFetch, crawl_site, fetch_url, safety
from auditor.errors import UnsafeTargetError
from auditor.models import Site
from checks.crawl_checks import CrawlChecks
from checks.registry import CheckContext

FAST = CrawlConfig(allow_private=True, retries=0, timeout=TimeoutConfig(connect=1.0, read=2.0, total=3.0))


def test_tls_error_is_recorded_not_raised() -> None:
    with fault_server() as server:
        fetch = asyncio.run(fetch_url(server.base.replace("http://", "https://") + "/", FAST))
    assert fetch.status is None
    assert fetch.error_kind == "tls"
    assert fetch.error


def test_connection_refused_is_recorded() -> None:
    with fault_server() as server:
        url = server.base + "/"
    fetch = asyncio.run(fetch_url(url, FAST))  # the server has stopped: nothing listens there any more
    assert fetch.error_kind == "connect"


def test_fetch_url_refuses_private_targets_unless_allowed() -> None:
    with fault_server() as server:
        with pytest.raises(UnsafeTargetError, match="allow_private"):
            asyncio.run(fetch_url(server.base + "/ok", CrawlConfig()))
        assert server.paths() == []
        assert asyncio.run(fetch_url(server.base + "/ok", FAST)).status == 200


def _only_127_0_0_2_is_unsafe(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    return "a private network address" if str(address) == "127.0.0.2" else None


def test_redirect_hops_are_rechecked(monkeypatch: pytest.MonkeyPatch) -> None:
    """A public page redirecting into a private network: the hop is refused at connect time, and the private
    server never sees a request. (Loopback stands in for 'public' here: only 127.0.0.2 counts as private.)"""
    monkeypatch.setattr(safety, "unsafe_reason", _only_127_0_0_2_is_unsafe)
    with FaultServer(host="127.0.0.2").start() as private:

        async def redirect(s: FaultServer, r: Request, w: FaultConn) -> bool:
            return await send(w, 302, b"", {"Location": private.base + "/secret"})

        with FaultServer(routes={"/go": redirect}).start() as public:
            crawl = CrawlConfig(retries=0)
            fetch = asyncio.run(fetch_url(public.base + "/go", crawl))
            assert fetch.error_kind == "unsafe_address"
            assert "127.0.0.2" in (fetch.error or "")
            assert [r.location for r in fetch.redirect_chain] == [private.base + "/secret"]
            assert public.hits("/go") == 1
        assert private.paths() == []
        outcome = asyncio.run(crawl_site(SiteConfig(name="p", start_urls=[private.base + "/"]), crawl))
        assert outcome.skipped == ((private.base + "/", "unsafe_address"),)
        assert outcome.fetches == ()
        assert private.paths() == []
    findings = list(
        CrawlChecks().check_site(
            Site(name="p", root_url=None, skipped=outcome.skipped), CheckContext(config=Config())
        )
    )
    assert [f.check_id for f in findings] == ["CRL014"]


def _versioned_site() -> FaultServer:
    """Three linked pages that answer 304 when the client already has the current version."""
    pages = {"/": ("/a", "/b"), "/a": ("/",), "/b": ("/a",)}

    async def page(s: FaultServer, r: Request, w: FaultConn) -> bool:
        path = r.path
        etag = f'"v1-{path}"'
        modified = "Mon, 01 Jan 2024 00:00:00 GMT"
        if r.headers.get("if-none-match") == etag:
            return await send(w, 304, b"", {"ETag": etag})
        links = "".join(f'<a href="{t}">{t}</a>' for t in pages[path])
        return await send(
            w,
            200,
            html(links),
            {"Content-Type": "text/html; charset=utf-8", "ETag": etag, "Last-Modified": modified},
        )

    return FaultServer(routes=dict.fromkeys(pages, page))


@pytest.mark.parametrize("with_links", [True, False])
def test_conditional_requests_on_a_second_run(with_links: bool) -> None:
    with _versioned_site().start() as server:
        site = SiteConfig(name="v", start_urls=[server.base + "/"])
        first = asyncio.run(crawl_site(site, FAST))
        assert [f.status for f in first.fetches] == [200, 200, 200]
        links = {f.requested_url: tuple(server.base + t for t in ("/a", "/b", "/")) for f in first.fetches}
        previous = {
            f.requested_url: PreviousFetch(
                url=f.requested_url,
                etag=f.header("etag"),
                last_modified=f.header("last-modified"),
                content_hash="h",
                links=links[f.requested_url] if with_links else None,
            )
            for f in first.fetches
        }
        server.requests.clear()
        second = asyncio.run(crawl_site(site, FAST, previous=previous))
        sent = [r for r in server.requests if r.path != "/robots.txt" and not r.path.startswith("/sitemap")]
    assert {f.requested_url for f in second.fetches} == {f.requested_url for f in first.fetches}
    assert all(f.status == 304 and f.body == b"" for f in second.fetches)
    assert all(r.headers.get("if-none-match", "").startswith('"v1-') for r in sent)
    assert all(r.headers.get("if-modified-since") == "Mon, 01 Jan 2024 00:00:00 GMT" for r in sent)


def test_request_budget_stops_the_crawl() -> None:
    crawl = FAST.model_copy(update={"request_budget": 6})
    with fault_server() as server:
        outcome = asyncio.run(crawl_site(SiteConfig(name="b", start_urls=[server.base + "/"]), crawl))
        seen = len(server.paths())
    assert outcome.requests <= 6 and seen <= 6
    assert any(reason == "budget" for _, reason in outcome.skipped)


def test_max_pages_and_depth_limits() -> None:
    with fault_server() as server:
        site = SiteConfig(name="m", start_urls=[server.base + "/"], max_pages=3, max_depth=1)
        outcome = asyncio.run(crawl_site(site, FAST.model_copy(update={"delay": 0.0})))
    assert len(outcome.fetches) == 3
    reasons = {reason for _, reason in outcome.skipped}
    assert "max_pages" in reasons


def test_unreadable_robots_txt_closes_the_site() -> None:
    async def broken(s: FaultServer, r: Request, w: FaultConn) -> bool:
        return await send(w, 503, b"down")

    async def page(s: FaultServer, r: Request, w: FaultConn) -> bool:
        return await send(w, 200, html("hello"), {"Content-Type": "text/html"})

    with FaultServer(routes={"/robots.txt": broken, "/": page}).start() as server:
        outcome = asyncio.run(crawl_site(SiteConfig(name="r", start_urls=[server.base + "/"]), FAST))
        assert server.hits("/") == 0
    assert outcome.robots_status == 503
    assert outcome.skipped == ((server.base + "/", "robots"),)
    site = Site(name="r", root_url=server.base, skipped=outcome.skipped, robots_status=503)
    findings = list(CrawlChecks().check_site(site, CheckContext(config=Config())))
    assert [f.check_id for f in findings] == ["CRL011"]
    assert "could not be read" in findings[0].message
