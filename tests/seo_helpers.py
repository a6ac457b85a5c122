"""Builders the SEO tests share: a page from HTML through extraction and language analysis, and runners."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from auditor.config import Config
from auditor.extract import extract_html
from auditor.models import AnalysedPage, FetchResult, Finding, Redirect, Site
from auditor.nlp import analyse_pages
from checks import seo, site
from checks.registry import CheckContext

ORIGIN = "https://clinic.example"


def html_doc(
    body: str = "<p>Scalp micropigmentation fixture text.</p>",
    *,
    title: str | None = "Scalp micropigmentation in Leeds | Example Clinic",
    description: str
    | None = "Natural-looking scalp micropigmentation in Leeds: how it works, prices, recovery.",
    head: str = "",
    lang: str | None = "en",
) -> str:
    lang_attr = f' lang="{lang}"' if lang is not None else ""
    parts = ['<meta charset="utf-8">', '<meta name="viewport" content="width=device-width, initial-scale=1">']
    if title is not None:
        parts.append(f"<title>{title}</title>")
    if description is not None:
        parts.append(f'<meta name="description" content="{description}">')
    parts.append(head)
    head_html = "".join(parts)
    return f"<!DOCTYPE html><html{lang_attr}><head>{head_html}</head><body><main>{body}</main></body></html>"


def fetched(
    url: str,
    html: str | bytes,
    *,
    status: int = 200,
    headers: Sequence[tuple[str, str]] = (),
    elapsed: float = 0.1,
    final_url: str | None = None,
    redirects: Sequence[Redirect] = (),
    depth: int = 0,
) -> FetchResult:
    body = html.encode("utf-8") if isinstance(html, str) else html
    return FetchResult(
        requested_url=url,
        final_url=final_url or url,
        status=status,
        headers=(("content-type", "text/html; charset=utf-8"), *headers),
        body=body,
        elapsed=elapsed,
        redirect_chain=tuple(redirects),
        depth=depth,
    )


def analysed(fetch: FetchResult) -> AnalysedPage:
    page = extract_html(fetch.body, fetch.requested_url, fetch)
    return next(analyse_pages([page]))


def page_at(url: str, html: str, **kwargs: object) -> AnalysedPage:
    return analysed(fetched(url, html, **kwargs))  # type: ignore[arg-type]


def page_findings(page: AnalysedPage, config: Config | None = None) -> list[Finding]:
    cfg = config or Config()
    ctx = CheckContext(config=cfg)
    return [f for check in seo.checks(cfg) for f in check.check_page(page, ctx)]


def site_findings(the_site: Site, config: Config | None = None) -> list[Finding]:
    cfg = config or Config()
    ctx = CheckContext(config=cfg)
    return [f for check in site.checks(cfg) for f in check.check_site(the_site, ctx)]


def ids(findings: Iterable[Finding]) -> set[str]:
    return {f.check_id for f in findings}


def of(findings: Iterable[Finding], rule_id: str) -> list[Finding]:
    return [f for f in findings if f.check_id == rule_id]


def crawled_demo_site() -> Site:
    """The demo clinic served on 127.0.0.1, crawled, and every HTML page extracted and analysed: a whole Site."""
    import asyncio

    from auditor.config import CrawlConfig, SiteConfig
    from auditor.crawl import crawl_site
    from auditor.demo.server import serve_demo

    with serve_demo() as base:
        outcome = asyncio.run(crawl_site(SiteConfig(name="demo", start_urls=[base]), CrawlConfig(allow_private=True)))
    pages = [
        extract_html(f.body, f.requested_url, f)
        for f in outcome.fetches
        if f.status == 200 and f.content_type == "text/html" and f.body
    ]
    return Site(
        name="demo",
        root_url=base,
        pages=tuple(analyse_pages(pages)),
        fetches=outcome.fetches,
        sitemap_urls=outcome.sitemap_urls,
        robots_txt=outcome.robots_txt,
        robots_status=outcome.robots_status,
        depths=outcome.depths,
        skipped=outcome.skipped,
    )
