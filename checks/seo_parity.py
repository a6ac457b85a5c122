"""Our verdict per Lighthouse SEO audit for one page, read from our rules' findings (parity test, bench)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal

from auditor.config import Config
from auditor.models import AnalysedPage, Finding, Site
from checks.registry import CheckContext

Verdict = Literal["pass", "fail"]

# Lighthouse audit id -> the rules whose findings mean Lighthouse would fail the page.
LIGHTHOUSE_AUDITS: dict[str, tuple[str, ...]] = {
    "is-crawlable": ("SEO001", "SEO101"),
    "document-title": ("SEO002",),
    "meta-description": ("SEO003",),
    "http-status-code": ("SEO004",),
    "link-text": ("SEO005",),
    "crawlable-anchors": ("SEO006",),
    "robots-txt": ("SEO102",),
    "image-alt": ("SEO007",),
    "hreflang": ("SEO008",),
    "canonical": ("SEO009",),
}


def _findings(page: AnalysedPage, site: Site, config: Config) -> Iterable[Finding]:
    from checks import seo
    from checks import site as site_checks

    ctx = CheckContext(config=config)
    wanted = {rule for rules in LIGHTHOUSE_AUDITS.values() for rule in rules}
    for check in seo.checks(config):
        if check.rule.id in wanted:
            yield from check.check_page(page, ctx)
    for site_check in site_checks.checks(config):
        if site_check.rule.id in wanted:
            yield from site_check.check_site(site, ctx)


def lighthouse_verdicts(page: AnalysedPage, site: Site, config: Config | None = None) -> dict[str, Verdict]:
    """Pass or fail per Lighthouse SEO audit; `site` carries the robots.txt served beside the page."""
    found = {f.check_id for f in _findings(page, site, config or Config())}
    return {
        audit: "fail" if any(rule in found for rule in rules) else "pass"
        for audit, rules in LIGHTHOUSE_AUDITS.items()
    }
