"""Site-level SEO checks: robots.txt, duplicates, broken links, redirects, link targets and the sitemap."""

from __future__ import annotations

from auditor.config import Config
from checks.registry import RuleInfo
from checks.seo_base import PreparedSiteFn, PrepareFn, PreparingSeoSiteCheck, SeoSiteCheck, SiteFn, seo_config
from checks.site_duplicates import (
    DUPLICATE_DESCRIPTIONS,
    DUPLICATE_TITLES,
    EXACT_DUPLICATE,
    NEAR_DUPLICATE,
    _duplicate_descriptions,
    _duplicate_titles,
    _exact_duplicates,
    _near_duplicates,
    prepare_text_key,
    prepare_text_print,
)
from checks.site_index import page_robots
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

# A rule given with a map step (PrepareFn) reads its page summaries instead of the pages, because the pages a
# site check gets in a full run are slim (no text, no markup: checks.registry.PreparingCheck): the duplicate
# content rules need the main text, and every rule that asks whether a page is noindex needs the robots
# <meta>s of its markup (checks.site_index.robots_metas).
SITE_RULES: tuple[tuple[RuleInfo, SiteFn] | tuple[RuleInfo, PreparedSiteFn, PrepareFn], ...] = (
    (ROBOTS_BLOCKED, _robots_blocked, page_robots),
    (ROBOTS_VALID, _robots_valid),
    (DUPLICATE_TITLES, _duplicate_titles, page_robots),
    (DUPLICATE_DESCRIPTIONS, _duplicate_descriptions, page_robots),
    (EXACT_DUPLICATE, _exact_duplicates, prepare_text_key),
    (NEAR_DUPLICATE, _near_duplicates, prepare_text_print),
    (BROKEN_LINKS, _broken_links),
    (REDIRECT_CHAIN, _redirect_chains),
    (REDIRECT_LOOP, _redirect_loops),
    (CANONICAL_TARGET, _canonical_targets, page_robots),
    (HREFLANG_TARGET, _hreflang_targets, page_robots),
    (HREFLANG_RETURN, _hreflang_return),
    (ORPHAN, _orphans),
    (NOT_IN_SITEMAP, _not_in_sitemap, page_robots),
    (BAD_SITEMAP_ENTRY, _bad_sitemap_entries, page_robots),
    (DEPTH, _depth),
    (LINKS_TO_REDIRECTS, _links_to_redirects),
)


def checks(config: Config | None = None) -> list[SeoSiteCheck]:
    """Every site-level SEO check, one per rule, with thresholds from config.checks.seo."""
    seo = seo_config(config)
    out: list[SeoSiteCheck] = []
    for entry in SITE_RULES:
        if len(entry) == 3:
            out.append(PreparingSeoSiteCheck(entry[0], entry[1], seo, entry[2]))
        else:
            out.append(SeoSiteCheck(entry[0], entry[1], seo))
    return out
