"""The crawler's pure parts: normalisation, scope, traps, bounded decoding, sitemaps, links, safety."""

from __future__ import annotations

import datetime as dt
import gzip
import io
import ipaddress
import json
import zlib

import pytest

from auditor.config import CrawlConfig, SiteConfig
from auditor.crawl import check_target_allowed
from auditor.crawl.body import BoundedDecoder
from auditor.crawl.fetch import retry_after_seconds
from auditor.crawl.links import extract_links
from auditor.crawl.progress import CrawlStats, JsonLinesProgress, progress_for
from auditor.crawl.robots import parse_robots, product_token
from auditor.crawl.safety import unsafe_reason
from auditor.crawl.scope import Normaliser, Scope, TrapGuard, numeric_template
from auditor.crawl.sitemaps import parse_sitemap
from auditor.errors import UnsafeTargetError

DROP = CrawlConfig().drop_query_params


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("HTTP://Clinic.Example:80/a/../treatments/#prices", "http://clinic.example/treatments/"),
        ("https://clinic.example:443", "https://clinic.example/"),
        ("https://clinic.example/p?utm_source=x&b=2&gclid=1&a=1", "https://clinic.example/p?a=1&b=2"),
        ("https://clinic.example/p;jsessionid=ABC123?x=1", "https://clinic.example/p?x=1"),
        ("https://clinic.example/%7euser/", "https://clinic.example/~user/"),
        ("mailto:someone@clinic.example", None),
        ("javascript:void(0)", None),
    ],
)
def test_normaliser(raw: str, expected: str | None) -> None:
    assert Normaliser(DROP)(raw) == expected


def test_trailing_slash_policy() -> None:
    assert (
        Normaliser(DROP, strip_trailing_slash=True)("https://c.example/about/") == "https://c.example/about"
    )
    assert Normaliser(DROP, strip_trailing_slash=True)("https://c.example/") == "https://c.example/"
    assert Normaliser(DROP)("https://c.example/about/") == "https://c.example/about/"


def test_scope_same_site_and_globs() -> None:
    site = SiteConfig(
        name="s",
        start_urls=["https://www.clinic.example/"],
        include=["/treatments/*", "/"],
        exclude=["*/treatments/old-*"],
    )
    scope = Scope(site, site.start_urls)
    assert scope.allows("https://clinic.example/treatments/smp")  # www. and bare host are one site
    assert scope.allows("http://www.clinic.example:8080/treatments/smp")  # scheme and port do not matter
    assert not scope.allows("https://clinic.example/blog/post")  # not included
    assert not scope.allows("https://clinic.example/treatments/old-page")  # excluded
    assert not scope.allows("https://other.example/treatments/smp")


def test_traps() -> None:
    crawl = CrawlConfig(max_query_variants=2, max_numeric_variants=3, calendar_years_ahead=1)
    guard = TrapGuard(crawl, today=dt.date(2025, 6, 1))
    assert guard.check("https://c.example/a/b/a/b/a/b") == "repeated_segment"
    assert guard.check("https://c.example/" + "/".join(f"s{i}" for i in range(20))) == "deep_path"
    assert guard.check("https://c.example/x/" + "y" * 2000) == "long_url"
    assert guard.check("https://c.example/(S(abcdefghij12345))/page") == "session_id"
    assert guard.check("https://c.example/sid-0123456789abcdef0123/page") == "session_id"
    assert guard.check("https://c.example/events/2031/07") == "calendar"
    assert guard.check("https://c.example/events?year=2040") == "calendar"
    assert guard.check("https://c.example/events/2025/07") is None
    assert guard.check("https://c.example/prices?sort=a") is None
    assert guard.check("https://c.example/prices?sort=b") is None
    assert guard.check("https://c.example/prices?sort=a") is None  # a variant already seen stays allowed
    assert guard.check("https://c.example/prices?sort=c") == "query_explosion"
    assert [guard.check(f"https://c.example/page/{n}") for n in range(1, 6)] == [
        None,
        None,
        None,
        "numeric_variants",
        "numeric_variants",
    ]
    assert numeric_template("https://c.example/page/12?p=3") == "c.example/page/#?p=#"
    assert numeric_template("https://c.example/about") is None


def test_bounded_decoder_stops_a_gzip_bomb() -> None:
    comp = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    bomb = b"".join(comp.compress(bytes(1 << 20)) for _ in range(20)) + comp.flush()  # 20 MB of zeros
    assert len(bomb) < 50_000
    decoder = BoundedDecoder("gzip")
    out = decoder.feed(bomb, 100_001)
    assert len(out) == 100_001  # never more than asked, though the input holds 20 MB
    assert decoder.has_pending()


def test_bounded_decoder_handles_raw_and_zlib_deflate() -> None:
    text = b"<p>hello</p>" * 100
    assert BoundedDecoder("deflate").feed(zlib.compress(text), 10_000) == text
    raw = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    assert BoundedDecoder("deflate").feed(raw.compress(text) + raw.flush(), 10_000) == text


def test_retry_after() -> None:
    assert retry_after_seconds("3") == 3.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412480.0 - 10) == pytest.approx(10.0)
    assert retry_after_seconds("soon") is None
    assert retry_after_seconds(None) is None


def test_sitemap_index_urlset_and_gzip() -> None:
    index = (
        b'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<sitemap><loc> https://c.example/s1.xml.gz </loc></sitemap></sitemapindex>"
    )
    assert parse_sitemap(index) == ([], ["https://c.example/s1.xml.gz"])
    urlset = (
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>https://c.example/a</loc>'
        b"<lastmod>2024-01-01</lastmod></url><url><loc>https://c.example/b</loc></url></urlset>"
    )
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb") as gz:
        gz.write(urlset)
    assert parse_sitemap(buf.getvalue()) == (["https://c.example/a", "https://c.example/b"], [])
    assert parse_sitemap(b"not xml at all <<<") == ([], [])


def test_links_honour_base_and_skip_non_http() -> None:
    body = (
        b'<html><head><base href="https://c.example/sub/">'
        b'<meta name="robots" content="noindex, nofollow"></head>'
        b'<body><a href="page">rel</a><a href="/root">root</a><a href="mailto:x@y">m</a>'
        b'<a href="#top">frag</a><a rel="nofollow" href="https://other.example/">ext</a>'
        b'<map><area href="../up"></map></body></html>'
    )
    links = extract_links(body, "https://c.example/start")
    assert links.urls == (
        "https://c.example/sub/page",
        "https://c.example/root",
        "https://other.example/",
        "https://c.example/up",
    )
    assert links.nofollow and links.nofollow_links == 1


def test_robots_rules_follow_rfc9309() -> None:
    text = (
        b"User-agent: *\nDisallow: /\n\n"
        b"User-agent: ClinicContentAuditor\nDisallow: /private/\nCrawl-delay: 2\n"
    )
    rules = parse_robots("https://c.example", 200, text)
    token = product_token(CrawlConfig().user_agent)
    assert token == "ClinicContentAuditor"
    assert rules.allowed("https://c.example/treatments", token)
    assert not rules.allowed("https://c.example/private/x", token)
    assert rules.crawl_delay(token) == 2.0
    assert parse_robots("https://c.example", 404, b"").allowed("https://c.example/x", token)
    assert not parse_robots("https://c.example", 503, b"").allowed("https://c.example/x", token)
    assert not parse_robots("https://c.example", None, b"", "reset").allowed("https://c.example/x", token)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "192.168.0.1",
        "172.16.5.4",
        "169.254.169.254",
        "169.254.1.1",
        "::1",
        "fd00:ec2::254",
        "fe80::1",
        "0.0.0.0",
        "224.0.0.1",
        "100.64.0.1",
        "::ffff:127.0.0.1",
    ],
)
def test_unsafe_addresses(address: str) -> None:
    assert unsafe_reason(ipaddress.ip_address(address)) is not None


def test_public_address_is_safe() -> None:
    assert unsafe_reason(ipaddress.ip_address("93.184.216.34")) is None
    assert unsafe_reason(ipaddress.ip_address("2606:2800:220:1:248:1893:25c8:1946")) is None


def test_check_target_allowed_refuses_with_a_clear_message() -> None:
    with pytest.raises(UnsafeTargetError, match=r"169\.254\.169\.254.*metadata.*allow_private"):
        check_target_allowed("http://169.254.169.254/latest/meta-data/", CrawlConfig())
    with pytest.raises(UnsafeTargetError, match="loopback"):
        check_target_allowed("http://localhost:8000/", CrawlConfig())
    with pytest.raises(UnsafeTargetError, match="only http and https"):
        check_target_allowed("file:///etc/passwd", CrawlConfig())
    check_target_allowed("http://127.0.0.1:8000/", CrawlConfig(allow_private=True))  # allowed by config


def test_json_progress_lines() -> None:
    stream = io.StringIO()
    sink = JsonLinesProgress(stream, interval=3600)
    sink.update(CrawlStats("s", done=1, queued=5, errors=0, elapsed=0.5))
    sink.update(CrawlStats("s", done=2, queued=4, errors=0, elapsed=0.6))  # rate-limited away
    sink.update(CrawlStats("s", done=10, queued=0, errors=1, elapsed=2.0, final=True))
    records = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [r["done"] for r in records] == [1, 10]
    assert records[-1]["pages_per_second"] == 5.0 and records[-1]["errors"] == 1


def test_progress_is_silent_when_not_a_terminal() -> None:
    assert progress_for("auto", io.StringIO()) is None
    assert isinstance(progress_for("json", io.StringIO()), JsonLinesProgress)
