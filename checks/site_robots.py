"""Site checks on robots.txt: pages it blocks (is-crawlable) and lines it gets wrong (robots-txt)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from urllib.parse import urlsplit

from auditor.config import SeoConfig
from auditor.models import Finding, Site
from checks.registry import CheckContext, RuleInfo
from checks.seo_base import finding, make_site_rule
from checks.seo_dom import origin_of
from checks.seo_robots import RobotsTxt, crawlability, validate_robots_txt
from checks.site_index import RobotsMetas, norm_url, robots_metas

LH_DOCS = "https://developer.chrome.com/docs/lighthouse/seo/"
GOOGLE_ROBOTS = "https://developers.google.com/search/docs/crawling-indexing/robots/robots_txt"


def robots_url(site: Site) -> str | None:
    if not site.root_url:
        return None
    parts = urlsplit(site.root_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return f"{parts.scheme}://{parts.netloc}/robots.txt"


ROBOTS_BLOCKED = make_site_rule(
    "SEO101",
    title="robots.txt lets search engines crawl the page",
    failure_title="robots.txt blocks the page",
    severity="error",
    rationale="A page robots.txt disallows cannot be crawled, so search engines cannot read or rank its "
    "content.",
    source="Lighthouse audit is-crawlable (robots.txt part); Google Search Central: robots.txt",
    suggestion="Remove or narrow the Disallow line in robots.txt that matches this address (or remove the "
    "address "
    "from the sitemap if it really should stay private).",
    what="Applies the site's robots.txt to every audited page as Lighthouse's is-crawlable audit does (the "
    "robots-parser rules: exact agent groups or '*', longest match wins, Allow wins ties), together with the "
    "page's robots meta tags and X-Robots-Tag headers: the page fails when the generic rules and each of "
    "Googlebot, bingbot, DuckDuckBot and archive.org_bot are blocked, and robots.txt is part of the reason. "
    "Addresses listed in the sitemap but skipped because robots.txt disallows them are reported too.",
    why="Blocked pages drop out of search results or show there without a description.",
    example="User-agent: *\nDisallow: /treatments/",
    instead="User-agent: *\nDisallow: /admin/",
    references=(
        "Lighthouse audit is-crawlable (lighthouse-core/audits/seo/is-crawlable.js)",
        f"{LH_DOCS}is-crawlable/",
        GOOGLE_ROBOTS,
    ),
)


def _robots_blocked(
    site: Site, seo: SeoConfig, rule: RuleInfo, ctx: CheckContext, robots_meta: Mapping[str, RobotsMetas]
) -> Iterable[Finding]:
    """`robots_meta`: each HTML page's robots_metas (checks.site_index), gathered where it was analysed."""
    del seo, ctx
    if not site.robots_txt:
        return []
    robots = RobotsTxt(site.robots_txt)
    where = robots_url(site)
    robots_origin = origin_of(where) if where else None
    now = datetime.now(UTC)
    out: list[Finding] = []
    for ap in site.pages:
        page = ap.page
        final = page.final_url or page.url
        if page.source_kind != "html" or robots_origin is None or origin_of(final) != robots_origin:
            continue
        metas = robots_meta.get(page.url)
        if metas is None:
            metas = robots_metas(page)
        headers = page.fetch.headers if page.fetch is not None else ()
        with_robots = crawlability(final, metas, headers, robots, now)
        if not with_robots.blocked:
            continue
        if crawlability(final, metas, headers, None, now).blocked:
            continue  # the page's own noindex already blocks it: SEO001 reports that
        rule_hit = robots.matching_rule(final, None)
        line = f" (line {rule_hit.line}: '{rule_hit.pattern}')" if rule_hit is not None else ""
        out.append(
            finding(
                rule,
                page.url,
                f"robots.txt stops search engines from crawling this page{line}.",
                key="robots-blocked",
                details=(("blocked_agents", with_robots.blocked_agents),),
            )
        )
    sitemap = {norm_url(u) for u in site.sitemap_urls}
    for url, reason in site.skipped:
        if "robots" in reason.lower() and norm_url(url) in sitemap:
            out.append(
                finding(
                    rule,
                    url,
                    "This address is in the sitemap, but robots.txt stops search engines from crawling it.",
                    key="robots-blocked",
                    details=(("reason", reason),),
                )
            )
    return out


ROBOTS_VALID = make_site_rule(
    "SEO102",
    title="robots.txt is valid",
    failure_title="robots.txt is not valid",
    severity="warning",
    rationale="Search engines may misread a malformed robots.txt and crawl too much or too little of the "
    "site.",
    source="Lighthouse audit robots-txt; Google Search Central: robots.txt specification (RFC 9309)",
    suggestion="Fix the listed lines of robots.txt: every Allow/Disallow inside a 'User-agent:' group, paths "
    "starting with '/' or '*', and full https:// addresses for Sitemap lines.",
    what="Reads /robots.txt line by line as Lighthouse's robots-txt audit does: unknown directives, lines "
    "without a colon, Allow/Disallow before any User-agent, an empty User-agent, patterns not starting with "
    "'/' or '*', '$' anywhere but the end, and Sitemap values that are not absolute http(s)/ftp URLs. A "
    "robots.txt answering 5xx or 429 fails outright; a 4xx or empty file is not applicable.",
    why="When robots.txt answers with a server error, Google stops crawling the whole site; invalid lines "
    "are "
    "silently ignored, so the rules you meant to set are not in force.",
    example="Disallow: /private   (before any User-agent line)\nSitemap: /sitemap.xml",
    instead="User-agent: *\nDisallow: /private\nSitemap: https://clinic.example/sitemap.xml",
    references=(
        "Lighthouse audit robots-txt (lighthouse-core/audits/seo/robots-txt.js)",
        f"{LH_DOCS}invalid-robots-txt/",
        "https://www.rfc-editor.org/rfc/rfc9309.html",
    ),
)


def _robots_valid(site: Site, seo: SeoConfig, rule: RuleInfo, ctx: CheckContext) -> Iterable[Finding]:
    del seo, ctx
    where = robots_url(site) or (site.root_url or site.name)
    status = site.robots_status
    if status is None:
        return []  # never fetched (local files) or no answer we can judge: not applicable
    if status >= 500 or status == 429:
        return [
            finding(
                rule,
                where,
                f"robots.txt answers with HTTP {status}; search engines may stop crawling the site until it "
                "works.",
                key="robots-status",
                details=(("status", status),),
            )
        ]
    if status >= 400 or not site.robots_txt:
        return []
    errors = validate_robots_txt(site.robots_txt)
    if not errors:
        return []
    listed = "; ".join(f"line {e.line_number}: {e.message}" for e in errors[:5])
    more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
    return [
        finding(
            rule,
            where,
            f"robots.txt has {len(errors)} invalid line{'s' if len(errors) > 1 else ''}: {listed}{more}.",
            key="robots-invalid",
            details=(("errors", tuple((e.line_number, e.line, e.message) for e in errors)),),
        )
    ]
