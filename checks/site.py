"""Site-level SEO checks: robots.txt, duplicates, broken links, redirects, link targets and the sitemap."""

from __future__ import annotations

from auditor.config import Config
from checks.registry import RuleInfo
from checks.seo_base import SeoSiteCheck, SiteFn, seo_config
from checks.site_duplicates import (
    DUPLICATE_DESCRIPTIONS,
    DUPLICATE_TITLES,
    EXACT_DUPLICATE,
    NEAR_DUPLICATE,
    _duplicate_descriptions,
    _duplicate_titles,
    _exact_duplicates,
    _near_duplicates,
)
from checks.site_links import (
    BAD_SITEMAP_ENTRY,
    BROKEN_LINKS,
    CANONICAL_TARGET,
    DEPTH,
    HREFLANG_RETURN,
    HREFLANG_TARGET,
    LINKS_TO_REDIRECTS,
    NOT_IN_SITEMAP,
    ORPHAN,
    REDIRECT_CHAIN,
    REDIRECT_LOOP,
    _bad_sitemap_entries,
    _broken_links,
    _canonical_targets,
    _depth,
    _hreflang_return,
    _hreflang_targets,
    _links_to_redirects,
    _not_in_sitemap,
    _orphans,
    _redirect_chains,
    _redirect_loops,
)
from checks.site_robots import ROBOTS_BLOCKED, ROBOTS_VALID, _robots_blocked, _robots_valid

SITE_RULES: tuple[tuple[RuleInfo, SiteFn], ...] = (
    (ROBOTS_BLOCKED, _robots_blocked),
    (ROBOTS_VALID, _robots_valid),
    (DUPLICATE_TITLES, _duplicate_titles),
    (DUPLICATE_DESCRIPTIONS, _duplicate_descriptions),
    (EXACT_DUPLICATE, _exact_duplicates),
    (NEAR_DUPLICATE, _near_duplicates),
    (BROKEN_LINKS, _broken_links),
    (REDIRECT_CHAIN, _redirect_chains),
    (REDIRECT_LOOP, _redirect_loops),
    (CANONICAL_TARGET, _canonical_targets),
    (HREFLANG_TARGET, _hreflang_targets),
    (HREFLANG_RETURN, _hreflang_return),
    (ORPHAN, _orphans),
    (NOT_IN_SITEMAP, _not_in_sitemap),
    (BAD_SITEMAP_ENTRY, _bad_sitemap_entries),
    (DEPTH, _depth),
    (LINKS_TO_REDIRECTS, _links_to_redirects),
)


def checks(config: Config | None = None) -> list[SeoSiteCheck]:
    """Every site-level SEO check, one per rule, with thresholds from config.checks.seo."""
    seo = seo_config(config)
    return [SeoSiteCheck(rule, fn, seo) for rule, fn in SITE_RULES]
